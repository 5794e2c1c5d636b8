import { afterAll, beforeAll, expect, test } from "bun:test";
import { routes } from "../src/api/routes.ts";
import type { PullRequest } from "../src/prs/pr-types.ts";
import { Cluster, PUSHPALS_BIN } from "./helpers/cluster.ts";

/**
 * A red base does not stop work (issue #13, item 9): a change whose checks fail only the way the base's
 * do opens its PR (`base_red`, said in the PR) and merges like any other; a change that adds a failure,
 * or fails a red check another way, does not.
 */

const CONFIG = `[jobs]
max_attempts = 1

[[checks.commands]]
name = "lint"
run = "test ! -e src/broken.txt"

[[checks.commands]]
name = "unit"
run = "test ! -e src/bad.txt"

[[checks.commands]]
name = "suite"
run = "sh suite.sh"
report = "out/suite.tap"
`;

// Two tests in a TAP report: "a" fails while the base's failure is there, "b" while src/b-broken.txt is.
const SUITE = `st=0
{ echo "TAP version 13"
  if test -e src/broken.txt; then echo "not ok 1 - a"; st=1; else echo "ok 1 - a"; fi
  if test -e src/b-broken.txt; then echo "not ok 2 - b"; st=1; else echo "ok 2 - b"; fi
  echo "1..2"; } > "$PUSHPALS_TEST_REPORT"
exit $st
`;

let c: Cluster;
beforeAll(async () => {
  c = await Cluster.create({
    configToml: CONFIG,
    files: { "suite.sh": SUITE, "src/a.txt": "one\n", "src/broken.txt": "the base's own failure\n", ".pushpals/policy.toml": "[low]\nauto_merge = true\n" },
  });
  await c.startServer();
  await c.startWorker("w1");
  await c.startAgents();
}, 60_000);
afterAll(() => c.stop());

function run(command: string) {
  const r = c.cli(["run", "--json", "--scope", "src/**", "--", command]);
  return { exitCode: r.exitCode, out: JSON.parse(r.stdout) as { pr?: PullRequest; job?: { failure?: { class: string; message: string } } } };
}

test("`check` on the base says the base is red", async () => {
  const proc = Bun.spawn([PUSHPALS_BIN, "check", "--wait"], { cwd: c.root, stdout: "pipe", stderr: "pipe", env: { ...process.env, ...c.env } });
  const [stdout, exitCode] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  expect(exitCode).toBe(1);
  expect(stdout).toMatch(/main is red at [0-9a-f]{12}/);
}, 60_000);

test("a change failing only the base's red check opens its PR as base_red, says so, and merges on its own", async () => {
  const { out } = run("echo two >> src/a.txt");
  const pr = out.pr!;
  expect(pr.checks).toMatchObject({ state: "base_red", baseRed: { checks: ["lint", "suite"] } });
  expect(pr.checks.results.map((r) => [r.name, r.exitCode])).toEqual([["lint", 1], ["unit", 0], ["suite", 1]]);
  expect(pr.body).toContain("main is red: lint, suite fail on its commit");
  for (;;) {
    const now = (await c.client.call(routes.getPr, { params: { number: pr.number } })).pr;
    if (now.state === "merged") break;
    await Bun.sleep(25);
  }
  expect(c.cli(["pr", String(pr.number)]).stdout).toContain("the base is red: lint, suite fail on");
}, 60_000);

test("a change that adds a failure of its own does not open a PR", () => {
  const { exitCode, out } = run("echo bad > src/bad.txt");
  expect(exitCode).not.toBe(0);
  expect(out.job?.failure?.class).toBe("checks_failed");
  expect(out.pr ?? null).toBeNull();
}, 60_000);

test("the same exit code is not the same failure when the reports differ: a test failing only on the change is the change's", () => {
  const { exitCode, out } = run("echo x > src/b-broken.txt");
  expect(exitCode).not.toBe(0);
  expect(out.job?.failure?.class).toBe("checks_failed");
  expect(out.pr ?? null).toBeNull();
}, 60_000);

test("a change that fixes the base's failure passes outright", () => {
  const { out } = run("rm src/broken.txt");
  expect(out.pr?.checks.state).toBe("passed");
}, 60_000);
