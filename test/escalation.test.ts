import { afterEach, expect, test } from "bun:test";
import { routes } from "../src/api/routes.ts";
import type { Plan } from "../src/planning/plan.ts";
import type { WorkItem } from "../src/planning/work-item.ts";
import { Cluster } from "./helpers/cluster.ts";

/**
 * Issue #15, escalation and caps: high-risk work waits for a person's approval, work against the
 * principles stops until the task changes, an ambiguous directive proceeds once its answer names the
 * task, and a cool-down follows failed tasks in a row.
 */

let cluster: Cluster | null = null;
afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

const CONFIG = '[repo]\nbase_branch = "main"\n\n[remote_agent]\ncheck_base = false\n\n[[checks.commands]]\nname = "ok"\nrun = "true"\n';

async function item(c: Cluster, id: string): Promise<WorkItem> {
  return (await c.client.call(routes.listWorkItems, { query: { all: "1" } })).items.find((i) => i.id === id)!;
}

async function waitForItem(c: Cluster, id: string, predicate: (i: WorkItem) => boolean, timeoutMs = 30_000): Promise<WorkItem> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await item(c, id);
    if (found && predicate(found)) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${id}; it is ${JSON.stringify(found)}`);
    await Bun.sleep(50);
  }
}

function add(c: Cluster, args: string[]): string {
  const r = c.cli(["backlog", "add", ...args, "--json"]);
  if (r.exitCode !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout).item.id;
}

test("high-risk work waits for its approved RFC, dispatching nothing; a scope on PushPals' own config stops until the task changes", async () => {
  const c = await Cluster.create({ configToml: CONFIG, files: { "src/auth/login.txt": "one\n", "src/a.txt": "a\n" } });
  cluster = c;
  await c.startServer();
  const agent = await c.componentClient({ role: "remote-agent", name: "remote-agent" });
  const dispatch = (id: string) => agent.call(routes.dispatchWorkItem, { params: { id }, body: { baseBranch: "main" } });

  const auth = add(c, ["tighten the login", "--run", "echo x >> src/auth/login.txt", "--scope", "src/auth/**"]);
  // The plan says beforehand what dispatch will find: the tier, and that it stops to ask.
  const preview = JSON.parse(c.cli(["plan", "--json"]).stdout) as Plan;
  expect(preview.entries.find((e) => e.item.id === auth)).toMatchObject({ risk: "high", holds: [], asks: { escalation: "high_risk" } });
  expect(c.cli(["plan"]).stdout).toContain("on dispatch it stops to ask (high_risk): It is high risk");
  const held = await dispatch(auth);
  expect(held.job).toBeNull();
  expect(held.item).toMatchObject({ state: "blocked", escalation: "high_risk", detail: { selection: { tier: "high" } } });
  expect(c.cli(["plan"]).stdout).toContain(`${auth} (high_risk): It is high risk`);
  const report = c.cli(["report", "--md"]).stdout;
  expect(report).toContain("## Open questions");
  expect(report).toContain(`- \`${auth}\` (high_risk): It is high risk`);
  expect((await c.client.call(routes.listJobs, { query: { kind: "run" } })).jobs).toHaveLength(0);
  const unapproved = c.cli(["answer", auth, "sure"]);
  expect(unapproved.exitCode).toBe(5);
  // Backlog work has no RFC of its own: it is told to become a High directive, whose RFC people approve.
  expect(unapproved.stderr).toContain('record it as a High directive (pushpals ask --risk high "...";');
  const made_up = c.cli(["answer", auth, "sure", "--rfc", "41"]);
  expect(made_up.exitCode).toBe(2);
  expect(made_up.stderr).toContain("rfc: #41 is no such PR");
  expect((await item(c, auth)).state).toBe("blocked");

  const own = add(c, ["loosen the rules", "--run", "echo x >> .pushpals/policy.toml", "--scope", ".pushpals/**"]);
  expect((await dispatch(own)).item).toMatchObject({ state: "blocked", escalation: "conflicts_principles" });
  // Insisting does not make it right: it stops again until the task itself changes.
  expect(c.cli(["answer", own, "do it anyway"]).exitCode).toBe(0);
  expect((await dispatch(own)).item).toMatchObject({ state: "blocked", escalation: "conflicts_principles" });
  expect(c.cli(["answer", own, "only the source then", "--run", "echo x >> src/a.txt", "--scope", "src/a.txt"]).exitCode).toBe(0);
  const narrowed = await dispatch(own);
  expect(narrowed.job).toMatchObject({ kind: "run", input: { scope: ["src/a.txt"], command: "echo x >> src/a.txt" } });
}, 60_000);

test("an ambiguous directive proceeds once the answer names its task, through to a PR; failed tasks in a row start a cool-down", async () => {
  const c = await Cluster.create({
    configToml: `${CONFIG.replace("check_base = false", "check_base = false\ncooldown_after_failures = 1\ncooldown_minutes = 10")}`,
    files: { "src/a.txt": "one\n" },
  });
  cluster = c;
  await c.startServer();
  await c.startWorker("w1");
  await c.startAgents();
  await c.startRemoteAgent();

  const asked = c.cli(["ask", "say two in a.txt", "--json"]);
  expect(asked.exitCode, asked.stderr).toBe(0);
  const directive = (await c.client.call(routes.listWorkItems, {})).items.find((i) => i.source === "directive")!;
  expect(directive).toMatchObject({ state: "blocked", escalation: "ambiguous" });
  expect(c.cli(["answer", directive.id, "append it", "--run", "echo two >> src/a.txt", "--scope", "src/**"]).exitCode).toBe(0);
  const done = await waitForItem(c, directive.id, (i) => typeof i.detail.pr === "number");
  const { prs } = await c.client.call(routes.listPrs, { query: {} });
  expect(prs.filter((p) => p.jobId === done.detail.job)).toHaveLength(1);

  // A task that changes nothing fails; with cooldown_after_failures = 1 nothing more is dispatched.
  const idle = add(c, ["a codemod that does nothing", "--run", "true", "--scope", "src/**"]);
  const failed = await waitForItem(c, idle, (i) => i.state === "open" && i.detail.failures === 1);
  const next = add(c, ["append three", "--run", "echo three >> src/a.txt", "--scope", "src/**"]);
  expect(c.cli(["plan"]).stdout).toContain("held: cool-down: the last 1 tasks of every specialist failed");
  expect(c.cli(["status"]).stdout).toContain("held: cool-down: the last 1 tasks of every specialist failed");
  await Bun.sleep(1_500);
  expect((await item(c, next)).state).toBe("open");
  expect((await item(c, idle)).detail.attempt).toBe(failed.detail.attempt);
}, 90_000);
