import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Cluster, PUSHPALS_BIN } from "./helpers/cluster.ts";

/**
 * Issue #13, item 4: a check sees only the job's commit. The directory holding the user's checkout has
 * a `node_modules` and an ESLint config of its own (as on a developer's machine); tools that search
 * parent directories must not find them from a job's checkout.
 */

// Not under /tmp: the sandbox's /tmp is its own already, which would hide the parent for another reason.
const parent = mkdtempSync("/var/tmp/pushpals-parent-");
afterAll(() => rmSync(parent, { recursive: true, force: true }));
mkdirSync(join(parent, "node_modules", "leak"), { recursive: true });
writeFileSync(join(parent, "node_modules", "leak", "index.js"), "module.exports = 'leaked';\n");
writeFileSync(join(parent, ".eslintrc.json"), '{ "root": true }\n');
// A tool installed inside that parent, on PATH through a symlink in a visible directory: it still runs.
mkdirSync(join(parent, "tools", "bin"), { recursive: true });
writeFileSync(join(parent, "tools", "bin", "mytool"), "#!/bin/sh\necho mytool runs\n", { mode: 0o755 });
const visible = mkdtempSync("/var/tmp/pushpals-visible-bin-");
afterAll(() => rmSync(visible, { recursive: true, force: true }));
symlinkSync(join(parent, "tools", "bin", "mytool"), join(visible, "mytool"));

test("nothing above the repository is visible to a check: a parent node_modules does not resolve, a parent config does not exist", async () => {
  const checks = [
    ["no-parent-module", `node -e "try { require('leak'); process.exit(1) } catch { console.log('leak not found') }"`],
    ["no-parent-config", `test ! -e ${join(parent, ".eslintrc.json")} && echo 'config not found'`],
    ["linked-tool", "mytool"],
  ];
  const config = `[jobs]\nmax_attempts = 1\n\n${checks.map(([name, run]) => `[[checks.commands]]\nname = "${name}"\nrun = ${JSON.stringify(run)}\n`).join("\n")}`;
  const c = await Cluster.create({ configToml: config, at: join(parent, "repo"), env: { PATH: `${visible}:${process.env.PATH}` } });
  try {
    await c.startServer();
    await c.startWorker("w1");
    const proc = Bun.spawn([PUSHPALS_BIN, "check", "--wait", "--json"], { cwd: c.root, stdout: "pipe", stderr: "pipe", env: { ...process.env, ...c.env } });
    const [stdout] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
    const { job } = JSON.parse(stdout);
    expect({ state: job.state, failure: job.failure?.message ?? null }).toEqual({ state: "succeeded", failure: null });
    const logs = c.cli(["logs", job.id]).stdout;
    expect(logs).toContain("leak not found");
    expect(logs).toContain("config not found");
    expect(logs).toContain("mytool runs");
  } finally {
    await c.stop();
  }
}, 60_000);
