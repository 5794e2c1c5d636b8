import { afterAll, beforeEach, expect, test } from "bun:test";
import { FakeGithub } from "../../../test/helpers/fake-github.ts";
import { GithubError } from "./github-error.ts";
import { GithubIssues } from "./github-issues.ts";

// Matches none of redactText's patterns on its own: only the explicit scrub can hide it.
const TOKEN = "pp-test-credential-7c21e0";
const LABELS = ["agent:ready", "good first issue", "bug"];
const BOUNDS = { max: 500, maxBytes: 512 * 1024 };

let gh: FakeGithub;
const servers: FakeGithub[] = [];
afterAll(() => servers.forEach((s) => s.stop()));
beforeEach(() => {
  gh = new FakeGithub("octo", "app").start();
  servers.push(gh);
});

function issues(labels: readonly string[] = LABELS, timeoutMs?: number): GithubIssues {
  return new GithubIssues({ owner: "octo", repo: "app", token: TOKEN, apiUrl: gh.url, userAgent: "pushpals-test", timeoutMs }, labels);
}

async function failure(p: Promise<unknown>): Promise<GithubError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GithubError);
  return err as GithubError;
}

test("lists the open issues carrying any label, one query per label, their union once each, without pull requests or closed ones", async () => {
  const ready = gh.addIssue("Ready one", ["agent:ready"], { body: "Steps to reproduce" });
  const both = gh.addIssue("Ready bug", ["bug", "agent:ready"]);
  gh.addIssue("Unlabelled", []);
  gh.addIssue("Closed bug", ["bug"], { state: "closed" });
  gh.addIssue("A PR", ["bug"], { pull_request: { url: null, html_url: null, diff_url: null, patch_url: null } });
  const first = gh.addIssue("Good first", ["Good First Issue"]);
  const r = await issues().listOpenIssues(BOUNDS);
  expect(r.complete).toBe(true);
  expect(r.issues).toEqual([
    { number: ready.number, title: "Ready one", url: ready.html_url, labels: ["agent:ready"], excerpt: "Steps to reproduce" },
    { number: both.number, title: "Ready bug", url: both.html_url, labels: ["bug", "agent:ready"], excerpt: "" },
    { number: first.number, title: "Good first", url: first.html_url, labels: ["Good First Issue"], excerpt: "" },
  ]);
  expect(gh.requests.map((q) => `${q.method} ${q.url}`)).toEqual([
    "GET /repos/octo/app/issues?state=open&labels=agent%3Aready&per_page=100&page=1",
    "GET /repos/octo/app/issues?state=open&labels=good%20first%20issue&per_page=100&page=1",
    "GET /repos/octo/app/issues?state=open&labels=bug&per_page=100&page=1",
  ]);
  expect(gh.requests.every((q) => q.authorization === `token ${TOKEN}`)).toBe(true);
});

test("follows GitHub's Link pagination to the last page", async () => {
  gh.maxPerPage = 2;
  for (let i = 0; i < 5; i++) gh.addIssue(`bug ${i}`, ["bug"]);
  const r = await issues(["bug"]).listOpenIssues(BOUNDS);
  expect(r).toMatchObject({ complete: true });
  expect(r.issues.map((i) => i.title)).toEqual(["bug 0", "bug 1", "bug 2", "bug 3", "bug 4"]);
  expect(gh.requests.map((q) => new URL(q.url, gh.url).searchParams.get("page"))).toEqual(["1", "2", "3"]);
});

test("stops at the bounds, saying the list is incomplete: at most max issues, their JSON within maxBytes, max entries read per label", async () => {
  for (let i = 0; i < 7; i++) gh.addIssue(`bug ${i}`, ["bug"], { body: "x".repeat(100) });
  const capped = await issues(["bug"]).listOpenIssues({ max: 3, maxBytes: 1_000_000 });
  expect(capped.complete).toBe(false);
  expect(capped.issues).toHaveLength(3);
  const small = await issues(["bug"]).listOpenIssues({ max: 500, maxBytes: 500 });
  expect(small.complete).toBe(false);
  expect(small.issues.length).toBeLessThan(4);
  gh.maxPerPage = 2;
  gh.requests.length = 0;
  const paged = await issues(["bug"]).listOpenIssues({ max: 100, maxBytes: 1_000_000 });
  expect(paged.issues).toHaveLength(7);
  expect(paged.complete).toBe(true);
  expect(gh.requests).toHaveLength(4);
  gh.requests.length = 0;
  // A label with more entries than the scan may hold is read up to that many, not to its end.
  for (let i = 0; i < 200; i++) gh.addIssue(`more ${i}`, ["bug"]);
  const cut = await issues(["bug"]).listOpenIssues({ max: 100, maxBytes: 1_000_000 });
  expect(cut.complete).toBe(false);
  expect(gh.requests).toHaveLength(50);
});

test("anyone's text stays data, bounded: a hostile title keeps its escapes (the CLI shows them), long titles, bodies and labels are cut", async () => {
  const hostile = "\u001b]52;c;cm0gLXJmIH4=\u0007\u001b[2J; rm -rf ~ #";
  gh.addIssue(hostile, ["bug"], { body: "b".repeat(10_000) });
  gh.addIssue(`${"😀".repeat(200)}`, ["bug", ...Array.from({ length: 40 }, (_, i) => `l${i}`)]);
  const [a, b] = (await issues(["bug"]).listOpenIssues(BOUNDS)).issues;
  expect(a).toMatchObject({ title: hostile, excerpt: "b".repeat(500) });
  expect(b!.title.length).toBeLessThanOrEqual(300);
  expect(b!.title.endsWith("😀")).toBe(true);
  expect(b!.labels).toHaveLength(32);
});

test("failures are classified with the request as evidence and never carry the token", async () => {
  gh.canned.push({ route: "GET /repos/octo/app/issues", response: { status: 401, body: { message: `Bad credentials ${TOKEN}` } } });
  const denied = await failure(issues().listOpenIssues(BOUNDS));
  expect(denied.failureClass).toBe("environment");
  expect(denied.message).toContain("GitHub rejected the token (401");
  expect(denied.message).toContain("gh auth login");
  expect(denied.evidence.command).toBe("GET /repos/octo/app/issues?state=open&labels=agent%3Aready&page=1");
  expect(JSON.stringify({ m: denied.message, e: denied.evidence })).not.toContain(TOKEN);
  gh.canned.push({ route: "GET /repos/octo/app/issues", response: { status: 502, body: { message: "Bad gateway" } } });
  expect((await failure(issues().listOpenIssues(BOUNDS))).failureClass).toBe("environment");
  gh.canned.push({ route: "GET /repos/octo/app/issues", response: { status: 404, body: { message: "Not Found" } } });
  expect((await failure(issues().listOpenIssues(BOUNDS))).failureClass).toBe("invalid_input");
  gh.stop();
  const down = await failure(issues().listOpenIssues(BOUNDS));
  expect(down.failureClass).toBe("environment");
  expect(down.message).toContain("(network)");
});
