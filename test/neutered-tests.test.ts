import { afterEach, expect, test } from "bun:test";
import { routes } from "../src/api/routes.ts";
import type { PullRequest } from "../src/prs/pr-types.ts";
import { Cluster } from "./helpers/cluster.ts";

/**
 * A worker that neuters the tests instead of fixing the code: the ReviewAgent reads the test file with
 * a parser and the test script from package.json, and the PR does not merge on its own even though
 * Low changes auto-merge in this repository.
 */

let cluster: Cluster | null = null;
afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

const FILES = {
  "src/a.txt": "one\n",
  "test/add.test.js": 'import { expect, test } from "bun:test";\ntest("adds", () => {\n  expect(1 + 2).toBe(3);\n});\n',
  "package.json": '{\n  "name": "app",\n  "scripts": {\n    "test": "bun test"\n  }\n}\n',
  ".pushpals/policy.toml": "[low]\nauto_merge = true\n",
};

function run(c: Cluster, scope: string, command: string): PullRequest {
  const r = c.cli(["run", "--json", "--scope", scope, "--", command]);
  expect(r.stderr).toBe("");
  return (JSON.parse(r.stdout) as { pr: PullRequest }).pr;
}

async function settled(c: Cluster, n: number, done: (p: PullRequest) => boolean): Promise<PullRequest> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const p = (await c.client.call(routes.getPr, { params: { number: n } })).pr;
    if (p.review?.headSha === p.headSha && done(p)) return p;
    if (Date.now() > deadline) throw new Error(`PR #${n} did not settle: ${p.state}, review ${p.review?.decision ?? "none"}`);
    await Bun.sleep(25);
  }
}

test("an always-true early return in a test, or a test script that always passes, is blocked and not auto-merged", async () => {
  // No lockfile, so no dependency preparation: the runs only edit files.
  const configToml = `[checks]\ncommands = [{ name = "ok", run = "true" }]\n[install]\npackage_manager = "none"\n`;
  const c = await Cluster.create({ configToml, files: FILES });
  cluster = c;
  await c.startServer();
  await c.startWorker("w1");
  await c.startAgents();

  const early = run(c, "test/**", "sed -i 's/^test(\"adds\", () => {$/&\\n  if (true) return;/' test/add.test.js");
  const script = run(c, "package.json", `printf '{\\n  "name": "app",\\n  "scripts": {\\n    "test": "exit 0"\\n  }\\n}\\n' > package.json`);
  const returned = await settled(c, early.number, () => true);
  expect(returned.classification?.tier).toBe("low");
  expect(returned.review?.decision).toBe("block");
  expect(returned.review?.findings.map((f) => [f.rule, f.file, f.line])).toEqual([["test_disabled", "test/add.test.js", 2]]);
  expect(returned.review?.findings[0]?.message).toContain('"adds"');
  const passing = await settled(c, script.number, () => true);
  expect(passing.review?.decision).toBe("block");
  expect(passing.review?.findings.filter((f) => f.reviewer === "tests").map((f) => [f.rule, f.severity, f.file, f.line])).toEqual([["test_config_weakened", "block", "package.json", 4]]);

  // The same repository merges an ordinary Low change on its own: the two above were stopped by their findings.
  const ordinary = run(c, "src/**", "echo two >> src/a.txt");
  expect((await settled(c, ordinary.number, (p) => p.state === "merged")).state).toBe("merged");
  const merges = (await c.client.call(routes.listJobs, { query: { kind: "merge" } })).jobs.map((j) => (j.input as { prNumber: number }).prNumber);
  expect(merges).toEqual([ordinary.number]);
  for (const n of [early.number, script.number]) expect((await c.client.call(routes.getPr, { params: { number: n } })).pr.state).toBe("open");
}, 90_000);
