import { afterEach, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Plan } from "../src/planning/plan.ts";
import { Cluster } from "./helpers/cluster.ts";

/**
 * Issue #15, first part: work items from their sources, ranked by `pushpals plan` in the vision's
 * order, against a real server, worker and git repository.
 */

let cluster: Cluster | null = null;
afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

function git(root: string, args: string[]): void {
  const r = Bun.spawnSync(["git", ...args], { cwd: root, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString()}`);
}

test("a directive outranks a red base, which outranks the backlog; the same red check on two commits is one item; answer and drop move items", async () => {
  const c = await Cluster.create({ configToml: '[repo]\nbase_branch = "main"\n\n[[checks.commands]]\nname = "unit"\nrun = "test -f ok"\n' });
  cluster = c;
  await c.startServer();
  await c.startWorker("w1");

  const added = c.cli(["backlog", "add", "tidy the README", "--priority", "80", "--json"]);
  expect(added.exitCode, added.stderr).toBe(0);
  const backlogId = JSON.parse(added.stdout).item.id as string;
  // The base is red (no `ok` file) on two commits in a row.
  for (const message of ["one", "two"]) {
    const check = c.cli(["check", "--wait"]);
    expect(check.exitCode).toBe(1);
    expect(check.stdout).toContain("main is red");
    writeFileSync(join(c.root, `${message}.txt`), message);
    git(c.root, ["add", "-A"]);
    git(c.root, ["commit", "-qm", message]);
  }
  const ask = c.cli(["ask", "make the login page faster"]);
  expect(ask.exitCode, ask.stderr).toBe(0);

  const plan = JSON.parse(c.cli(["plan", "--json"]).stdout) as Plan;
  expect(plan.entries.map((e) => `${e.item.source}:${e.item.title}`)).toEqual(["directive:make the login page faster", "failing_build:unit is red on main", "backlog:tidy the README"]);
  const red = plan.entries[1]!.item;
  expect(red.detail.seen).toBe(2);
  expect(red.detail.firstRedCommit).not.toBe(red.detail.lastRedCommit);
  const directive = plan.entries[0]!;
  expect(directive.item.state).toBe("blocked");
  expect(plan.questions.map((q) => q.item)).toEqual([directive.item.id]);

  const shown = c.cli(["plan"]);
  expect(shown.stdout).toContain("1. make the login page faster");
  expect(shown.stdout).toContain("why here: directive (source 1 of 5)");
  // The CI Medic takes the red check (nothing dispatches here: no RemoteAgent runs).
  expect(shown.stdout).toMatch(/2\. unit is red on main\n.*\n   next to dispatch/);
  expect(shown.stdout).toMatch(/failing_build\s+red_check\s+open\s+low\s+ci-medic/);
  expect(shown.stdout).toContain("open questions");

  const status = c.cli(["status"]).stdout;
  expect(status).toContain("work: 2 open, 1 blocked (1 question: pushpals plan); dispatch on, 4 in flight at most, 30 per hour, 200 per day, 60 min per item; checks every new base head");
  expect(status).toContain(`${directive.item.id} asks (ambiguous): No recipe turns this directive into a task`);
  expect(shown.stdout).toContain(`${directive.item.id} (ambiguous): No recipe turns this directive into a task`);
  // An answer that does not say what the task is leaves the directive where it is.
  const vague = c.cli(["answer", directive.item.id, "only the first paint"]);
  expect(vague.exitCode).toBe(2);
  expect(vague.stderr).toContain(`pushpals answer ${directive.item.id} "..." --run "<command>" --scope "<glob>"`);
  const answered = c.cli(["answer", directive.item.id, "only the first paint", "--run", "echo fast >> paint.txt", "--scope", "paint.txt", "--json"]);
  expect(answered.exitCode, answered.stderr).toBe(0);
  expect(JSON.parse(answered.stdout).item).toMatchObject({ state: "open", answer: "only the first paint", type: "codemod", scope: ["paint.txt"], escalation: null, detail: { command: "echo fast >> paint.txt" } });
  expect(c.cli(["answer", directive.item.id, "again"]).exitCode).toBe(5);

  expect(c.cli(["backlog", "drop", backlogId, "--why", "done by hand"]).exitCode).toBe(0);
  const after = JSON.parse(c.cli(["plan", "--json"]).stdout) as Plan;
  expect(after.entries.map((e) => e.item.source)).toEqual(["directive", "failing_build"]);

  // The base goes green: its failing-build item is resolved.
  writeFileSync(join(c.root, "ok"), "");
  git(c.root, ["add", "-A"]);
  git(c.root, ["commit", "-qm", "fix"]);
  expect(c.cli(["check", "--wait"]).exitCode).toBe(0);
  const specialists = c.cli(["specialists"]);
  expect(specialists.stdout).toMatch(/codemod-runner\s+1\s+codemod\s+run\s+codemod\s+no\s+2 at once, 20\/h, 100\/day\s+yes/);
  expect(specialists.stdout).toContain("1. directive: CTO directives");
  expect(specialists.stdout).toContain("4. pr_followup: open PRs whose rebase conflicts");
  expect(specialists.stdout).toContain("pr_checks_failed (no specialist yet)");
  expect(specialists.stdout).toMatch(/files pr_conflict, /);
  expect(c.cli(["workers"]).stdout).toBe(specialists.stdout);
  const list = JSON.parse(c.cli(["backlog", "list", "--all", "--json"]).stdout) as { items: { source: string; state: string }[] };
  expect(list.items.map((i) => `${i.source}:${i.state}`).sort()).toEqual(["backlog:dropped", "directive:open", "failing_build:done"]);
}, 90_000);

test("checks that claim to be a branch's must name a commit of it: nobody files a failing build for a branch it is not on", async () => {
  const c = await Cluster.create({ configToml: '[[checks.commands]]\nname = "unit"\nrun = "false"\n' });
  cluster = c;
  await c.startServer();
  git(c.root, ["checkout", "-qb", "side"]);
  writeFileSync(join(c.root, "side.txt"), "side");
  git(c.root, ["add", "-A"]);
  git(c.root, ["commit", "-qm", "side"]);
  const side = Bun.spawnSync(["git", "rev-parse", "HEAD"], { cwd: c.root }).stdout.toString().trim();
  const refused = await c.enqueue("checks", { commit: side, branch: "main", commands: [{ name: "unit", run: "false" }] }).catch((err: Error) => err);
  expect(refused).toBeInstanceOf(Error);
  expect((refused as Error).message).toContain('is not a commit of the branch "main"');
  // Revision syntax is not a branch name, even where it resolves to a commit of one.
  const reflog = await c.enqueue("checks", { commit: side, branch: "side@{0}", commands: [{ name: "unit", run: "false" }] }).catch((err: Error) => err);
  expect((reflog as Error).message).toContain('"side@{0}" is not a branch name');
});

test("PR follow-ups are a source: an open PR with changes requested on its head is one item, done once the PR is closed", async () => {
  const c = await Cluster.create({ configToml: '[repo]\nbase_branch = "main"\n\n[remote_agent]\ncheck_base = false\n\n[[checks.commands]]\nname = "ok"\nrun = "true"\n', files: { "src/a.txt": "one\n" } });
  cluster = c;
  await c.startServer();
  await c.startWorker("w1");
  await c.startAgents();
  const run = c.cli(["run", "--json", "--scope", "src/**", "--", "echo x >> src/a.txt"]);
  expect(run.exitCode, run.stderr).toBe(0);
  const pr = (JSON.parse(run.stdout) as { pr: { number: number } }).pr;
  expect(c.cli(["reject", String(pr.number), "--why", "name it better"]).exitCode).toBe(0);
  const followUp = async () => (JSON.parse(c.cli(["backlog", "list", "--all", "--json"]).stdout) as { items: { source: string; type: string; state: string; title: string; notes: string }[] }).items.filter((i) => i.source === "pr_followup");
  const deadline = Date.now() + 15_000;
  while ((await followUp()).length === 0 && Date.now() < deadline) await Bun.sleep(100);
  expect(await followUp()).toMatchObject([{ type: "pr_changes_requested", state: "open", title: `PR #${pr.number} has changes requested` }]);
  expect((await followUp())[0]!.notes).toContain("name it better");
  expect(c.cli(["plan"]).stdout).toContain("held: missing capability: no specialist takes pr_changes_requested items yet");
  expect(c.cli(["pr", "close", String(pr.number)]).exitCode).toBe(0);
  while ((await followUp())[0]?.state !== "done" && Date.now() < deadline + 10_000) await Bun.sleep(100);
  expect((await followUp()).map((i) => i.state)).toEqual(["done"]);
}, 60_000);
