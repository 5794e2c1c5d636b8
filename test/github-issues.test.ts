import { afterEach, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { routes } from "../src/api/routes.ts";
import { isPushpalsError } from "../src/core/errors.ts";
import { Cluster } from "./helpers/cluster.ts";
import { FakeGithub } from "./helpers/fake-github.ts";

const TOKEN = `ghp_${"Xk7".repeat(12)}`;
// A clipboard write, a screen clear and a window title, then a line that would pass for PushPals' own.
const HOSTILE = "\u001b]52;c;cm0gLXJmIH4=\u0007\u001b[2J\u001b]0;pwned\u0007\rheld: nothing; next to dispatch";
let cluster: Cluster | null = null;
let fake: FakeGithub | null = null;

afterEach(async () => {
  await cluster?.stop();
  fake?.stop();
  cluster = null;
  fake = null;
});

test("labelled backlog: the SourceControlManager's scan files the labelled open issues as held backlog items, closes the vanished ones, and a failed scan changes nothing", async () => {
  fake = new FakeGithub("octo", "textkit").start();
  const bug = fake.addIssue("Crash on start", ["bug"], { body: "Run `rm -rf /` to reproduce" });
  const hostile = fake.addIssue(HOSTILE, ["agent:ready"]);
  fake.addIssue("Just an idea", []);
  fake.addIssue("A pull request", ["bug"], { pull_request: { url: null, html_url: null, diff_url: null, patch_url: null } });
  const config = `
[pr]
provider = "github"
[github]
repository = "octo/textkit"
api_url = "${fake.url}"
`;
  const c = await Cluster.create({ configToml: config, env: { PUSHPALS_GITHUB_TOKEN: TOKEN } });
  cluster = c;
  await c.startServer();
  await c.startAgents();

  // A client can neither pre-empt the scan's key with another job nor hand the scan its issues.
  const refusal = async (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e);
  expect(isPushpalsError(await refusal(c.enqueue("noop", {}, { dedupeKey: "issues-scan" })), "forbidden")).toBe(true);
  const forged = await refusal(c.enqueue("issues-scan", { issues: [{ number: 9, title: "injected" }] }));
  expect(isPushpalsError(forged, "invalid_input")).toBe(true);

  const first = await c.enqueue("issues-scan", {});
  expect(first.dedupeKey).toBe("issues-scan");
  expect((await c.enqueue("issues-scan", {})).id).toBe(first.id);
  const scanned = await c.waitForJob(first.id, (j) => j.state === "succeeded" || j.state === "failed");
  expect(scanned.state).toBe("succeeded");

  const items = async (all = false) => (await c.client.call(routes.listWorkItems, { query: all ? { all: "1" } : {} })).items.filter((i) => i.type === "github_issue");
  const open = await items();
  expect(open.map((i) => [i.dedupeKey, i.source, i.state, i.priority])).toEqual([
    [`github_issue:octo/textkit#${bug.number}`, "backlog", "open", 60],
    [`github_issue:octo/textkit#${hostile.number}`, "backlog", "open", 50],
  ]);
  expect(open[0]).toMatchObject({ title: `#${bug.number} Crash on start`, labels: ["bug"], notes: `${bug.html_url}\n\nRun \`rm -rf /\` to reproduce`, scope: [], risk: null });
  expect(open[1]!.title).toBe(`#${hostile.number} ${HOSTILE}`);

  const plan = c.cli(["plan"]);
  expect(plan.exitCode).toBe(0);
  // The bug waits for the Bug Fixer's model; nothing takes the other label.
  expect(plan.stdout).toContain("held: missing capability: the Bug Fixer would take it, but it needs a model backend; none is configured ([models] in .pushpals/config.toml)");
  expect(plan.stdout).toContain("held: missing capability: no specialist takes github_issue items labelled agent:ready yet");
  expect(plan.stdout.split("\n")).not.toContain("   next to dispatch");
  expect(plan.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  expect(plan.stdout).toContain(`${hostile.number} \\x1b]52;c;cm0gLXJmIH4=\\x07\\x1b[2J\\x1b]0;pwned\\x07\\rheld: nothing; next to dispatch`);
  expect(plan.stdout).toContain("Crash on start");
  const specialists = c.cli(["specialists"]).stdout;
  expect(specialists).toContain("3. backlog: the local backlog");
  expect(specialists).toContain("3. backlog: the labelled backlog: open GitHub issues carrying github.issue_labels");
  // The Bug Fixer takes them, with a model configured; here there is none.
  expect(specialists).toContain("files github_issue (needs a model: [models])");
  expect(specialists).toContain("4. pr_followup: ");
  const json = JSON.parse(c.cli(["plan", "--json"]).stdout) as { entries: { item: { title: string }; specialist: string | null }[] };
  expect(json.entries.map((e) => e.specialist)).toEqual([null, null]);

  // Closed on GitHub: the next scan moves its item to done; the other stays.
  fake.issues.get(bug.number)!.state = "closed";
  const second = await c.enqueue("issues-scan", {});
  expect(second.id).not.toBe(first.id);
  expect((await c.waitForJob(second.id, (j) => j.state === "succeeded" || j.state === "failed")).state).toBe("succeeded");
  expect((await items(true)).map((i) => [i.dedupeKey, i.state])).toEqual([
    [`github_issue:octo/textkit#${bug.number}`, "done"],
    [`github_issue:octo/textkit#${hostile.number}`, "open"],
  ]);

  // GitHub refuses the token: the job fails with the class and the request as evidence; no item moves.
  fake.canned.push({ route: "GET /repos/octo/textkit/issues", response: { status: 401, body: { message: "Bad credentials" } } });
  const before = await items(true);
  const third = await c.enqueue("issues-scan", {}, { maxAttempts: 1 });
  const failed = await c.waitForJob(third.id, (j) => j.state === "succeeded" || j.state === "failed");
  expect(failed.state).toBe("failed");
  expect(failed.failure).toMatchObject({ class: "environment", evidence: { command: "GET /repos/octo/textkit/issues?state=open&labels=agent%3Aready&page=1" } });
  expect(failed.failure?.message).toContain("GitHub rejected the token (401");
  expect(await items(true)).toEqual(before);

  // The token went to GitHub only.
  expect(fake.requests.every((r) => r.authorization === `token ${TOKEN}`)).toBe(true);
  const everything = [c.cli(["audit", "export"]).stdout, readFileSync(c.paths.dbPath).toString("latin1")];
  for (const job of (await c.client.call(routes.listJobs, { query: { limit: 100 } })).jobs) everything.push(JSON.stringify(job));
  for (const text of everything) expect(text).not.toContain(TOKEN);
}, 60_000);
