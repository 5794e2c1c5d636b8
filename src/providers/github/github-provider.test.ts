import { afterAll, afterEach, beforeEach, expect, spyOn, test } from "bun:test";
import { isRetryable } from "../../core/failures.ts";
import { JobFailure } from "../../core/job-failure.ts";
import { FakeGithub } from "../../../test/helpers/fake-github.ts";
import { GithubError } from "./github-error.ts";
import { GithubProvider } from "./github-provider.ts";

// Matches none of redactText's patterns on its own: only the explicit replace can hide it.
const TOKEN = "pp-test-credential-4f9a1c";
const GH_TOKEN = `ghp_${"A1b2C3d4".repeat(5)}`;
const HEAD = "b".repeat(40);

let gh: FakeGithub;
const servers: FakeGithub[] = [];
afterAll(() => servers.forEach((s) => s.stop()));
beforeEach(() => {
  gh = new FakeGithub("octo", "app").start();
  servers.push(gh);
});

const consoleCalls: string[] = [];
const spies = (["log", "info", "warn", "error", "debug"] as const).map((m) => spyOn(console, m).mockImplementation((...args: unknown[]) => void consoleCalls.push(args.map(String).join(" "))));
afterEach(() => {
  expect(consoleCalls.join("\n")).not.toContain(TOKEN);
  consoleCalls.length = 0;
});
afterAll(() => spies.forEach((s) => s.mockRestore()));

function provider(token = TOKEN, timeoutMs?: number): GithubProvider {
  return new GithubProvider({ owner: "octo", repo: "app", token, apiUrl: gh.url, userAgent: "pushpals-test", timeoutMs });
}

async function failure(p: Promise<unknown>): Promise<GithubError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GithubError);
  expect(err).toBeInstanceOf(JobFailure);
  return err as GithubError;
}

const pr = { head: "pushpals/job-1", base: "main", title: "Fix typo", body: "Body", headSha: HEAD };

test("openOrUpdate creates a pull request when the head has none, sending the token and our user agent", async () => {
  gh.branches.set(pr.head, HEAD);
  const r = await provider().openOrUpdate(pr);
  expect(r).toEqual({ number: 1, url: "https://github.example/octo/app/pull/1", headSha: HEAD });
  expect(gh.requests.map((q) => `${q.method} ${q.url}`)).toEqual([
    "GET /repos/octo/app/pulls?head=octo%3Apushpals%2Fjob-1&state=open&per_page=10",
    "POST /repos/octo/app/pulls",
  ]);
  expect(gh.requests[1]?.body).toEqual({ head: pr.head, base: "main", title: "Fix typo", body: "Body" });
  expect(gh.requests.every((q) => q.authorization === `token ${TOKEN}`)).toBe(true);
  expect(gh.requests[0]?.userAgent).toStartWith("pushpals-test ");
});

test("openOrUpdate updates the open pull request the list finds, keeping its number", async () => {
  const existing = gh.addPull(pr.head, "main", HEAD, { title: "old" });
  gh.addPull("pushpals/other", "main", "c".repeat(40));
  const r = await provider().openOrUpdate({ ...pr, title: "new title", base: "release" });
  expect(r.number).toBe(existing.number);
  expect(gh.requests.map((q) => q.method)).toEqual(["GET", "PATCH"]);
  expect(gh.requests[1]?.body).toEqual({ title: "new title", body: "Body", base: "release" });
  expect(gh.pulls.get(existing.number)?.title).toBe("new title");
});

test("openOrUpdate recovers from 422 'A pull request already exists' by finding and updating it", async () => {
  const existing = gh.addPull(pr.head, "main", HEAD);
  // The first lookup misses it (a concurrent create); the create then gets GitHub's 422.
  gh.hideFromNextLists = 1;
  const r = await provider().openOrUpdate(pr);
  expect(r.number).toBe(existing.number);
  expect(gh.requests.map((q) => q.method)).toEqual(["GET", "POST", "GET", "PATCH"]);
  expect(gh.pulls.size).toBe(1);
});

test("422 validation errors (no commits between) are invalid_input with GitHub's message", async () => {
  gh.canned.push({
    route: "POST /repos/octo/app/pulls",
    response: { status: 422, body: { message: "Validation Failed", errors: [{ resource: "PullRequest", code: "custom", message: "No commits between main and pushpals/job-1" }], documentation_url: "https://docs.github.com" } },
  });
  const err = await failure(provider().openOrUpdate(pr));
  expect(err.failureClass).toBe("invalid_input");
  expect(err.status).toBe(422);
  expect(err.message).toContain("No commits between main and pushpals/job-1");
  expect(err.evidence.command).toBe("POST /repos/octo/app/pulls");
});

test("merge sends the expected head SHA and method, and returns the merge commit", async () => {
  const pull = gh.addPull(pr.head, "main", HEAD);
  const r = await provider().merge(pull.number, HEAD, "squash");
  expect(r).toEqual({ merged: true, sha: "a".repeat(40) });
  const seen = gh.requests.at(-1);
  expect(`${seen?.method} ${seen?.url}`).toBe(`PUT /repos/octo/app/pulls/${pull.number}/merge`);
  expect(seen?.body).toEqual({ sha: HEAD, merge_method: "squash" });
});

test("merge when the head moved (409) is a conflict, and nothing is merged", async () => {
  const pull = gh.addPull(pr.head, "main", "c".repeat(40));
  const err = await failure(provider().merge(pull.number, HEAD, "merge"));
  expect(err.failureClass).toBe("conflict");
  expect(err.status).toBe(409);
  expect(err.message).toContain("Head branch was modified");
  expect(gh.pulls.get(pull.number)?.merged).toBe(false);
});

test("merge that GitHub will not do (405: required checks) is a conflict carrying GitHub's message", async () => {
  const pull = gh.addPull(pr.head, "main", HEAD);
  gh.canned.push({ route: "PUT ", response: { status: 405, body: { message: "Required status check \"ci\" is expected.", documentation_url: "https://docs.github.com" } } });
  const err = await failure(provider().merge(pull.number, HEAD, "merge"));
  expect(err.failureClass).toBe("conflict");
  expect(err.message).toContain('Required status check "ci" is expected.');
});

test("403 with x-ratelimit-remaining: 0 is a retryable environment failure naming the reset time", async () => {
  const reset = 1_900_000_000;
  gh.canned.push({
    route: "GET ",
    response: { status: 403, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) }, body: { message: "API rate limit exceeded for user ID 1." } },
  });
  const err = await failure(provider().get(1));
  expect(err.failureClass).toBe("environment");
  expect(isRetryable(err.failureClass)).toBe(true);
  expect(err.retryAt?.getTime()).toBe(reset * 1000);
  expect(err.message).toContain(new Date(reset * 1000).toISOString());
});

test("429 secondary rate limit with retry-after is environment, retry time from the header", async () => {
  gh.canned.push({ route: "GET ", response: { status: 429, headers: { "retry-after": "120" }, body: { message: "You have exceeded a secondary rate limit." } } });
  const before = Date.now();
  const err = await failure(provider().get(1));
  expect(err.failureClass).toBe("environment");
  expect(err.retryAt!.getTime()).toBeGreaterThanOrEqual(before + 120_000);
  expect(err.message).toContain(err.retryAt!.toISOString());
  expect(err.message).toContain("secondary rate limit");

  // A secondary limit without headers: GitHub asks for at least a minute.
  gh.canned.push({ route: "GET ", response: { status: 403, body: { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." } } });
  const bare = await failure(provider().get(1));
  expect(bare.failureClass).toBe("environment");
  expect(bare.retryAt!.getTime()).toBeGreaterThanOrEqual(before + 60_000);
});

test("403 without rate-limit signs is policy_denied, not retried", async () => {
  gh.canned.push({ route: "PUT ", response: { status: 403, body: { message: "Resource not accessible by integration" } } });
  const err = await failure(provider().merge(1, HEAD, "merge"));
  expect(err.failureClass).toBe("policy_denied");
  expect(err.message).toContain("Resource not accessible by integration");
});

test("401 names the fix and never the token, even when the server echoes it", async () => {
  for (const token of [TOKEN, GH_TOKEN]) {
    gh.canned.push({ route: "GET ", response: { status: 401, body: { message: `Bad credentials for ${token}` } } });
    const err = await failure(provider(token).get(1));
    expect(err.failureClass).toBe("environment");
    expect(err.message).toContain("gh auth login");
    expect(err.message).toContain("PUSHPALS_GITHUB_TOKEN");
    const everything = JSON.stringify({ message: err.message, evidence: err.evidence, failure: err.toFailure() });
    expect(everything).toContain("Bad credentials");
    expect(everything).not.toContain(token);
  }
});

test("5xx and unreachable hosts are environment; a hung request times out", async () => {
  gh.canned.push({ route: "GET ", response: { status: 502, body: "<html>Bad Gateway</html>" } });
  expect((await failure(provider().get(1))).failureClass).toBe("environment");

  const closed = new FakeGithub("octo", "app").start();
  const deadUrl = closed.url;
  closed.stop();
  const dead = new GithubProvider({ owner: "octo", repo: "app", token: TOKEN, apiUrl: deadUrl, userAgent: "t" });
  const net = await failure(dead.get(1));
  expect(net.failureClass).toBe("environment");
  expect(net.message).toContain("network");

  const hung = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Promise<Response>(() => {}) });
  try {
    const slow = new GithubProvider({ owner: "octo", repo: "app", token: TOKEN, apiUrl: `http://127.0.0.1:${hung.port}`, userAgent: "t", timeoutMs: 200 });
    const started = Date.now();
    const err = await failure(slow.get(1));
    expect(err.failureClass).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(5_000);
  } finally {
    hung.stop(true);
  }
});

test("get reports state, merged, head and mergeable; close closes", async () => {
  const pull = gh.addPull(pr.head, "main", HEAD, { mergeable: true });
  const p = provider();
  expect(await p.get(pull.number)).toEqual({ state: "open", merged: false, headSha: HEAD, mergeable: true });
  await p.close(pull.number);
  expect(gh.requests.at(-1)?.body).toEqual({ state: "closed" });
  expect(await p.get(pull.number)).toEqual({ state: "closed", merged: false, headSha: HEAD, mergeable: true });
  expect((await failure(p.get(99))).failureClass).toBe("invalid_input");
});

test("Octokit's own warnings go to the log option, not the console", async () => {
  const pull = gh.addPull(pr.head, "main", HEAD);
  gh.canned.push({ route: "GET ", response: { status: 200, headers: { deprecation: "true", sunset: "2030-01-01" }, body: JSON.stringify(pull) } });
  const lines: string[] = [];
  const p = new GithubProvider({ owner: "octo", repo: "app", token: TOKEN, apiUrl: gh.url, userAgent: "t", log: (l) => lines.push(l) });
  expect((await p.get(pull.number)).headSha).toBe(HEAD);
  expect(lines.join("\n")).toContain("deprecated");
  expect(consoleCalls).toEqual([]);
});

test("the provider object does not expose the token when logged or serialized", () => {
  const p = provider();
  expect(Bun.inspect(p)).not.toContain(TOKEN);
  expect(JSON.stringify(p)).not.toContain(TOKEN);
});
