import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
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

/**
 * With `sandbox.mode = "off"` nothing can be hidden, so the checkouts themselves leave the repository (under
 * its .git, its own `node_modules` would be one level up) for the user's cache, whose parents must hold
 * nothing tools look up.
 */
async function uncheckedRun(cacheHome: string, files: Record<string, string> = {}) {
  const config = `[jobs]\nmax_attempts = 1\n\n[sandbox]\nmode = "off"\n\n[[checks.commands]]\nname = "no-repo-module"\nrun = ${JSON.stringify(`node -e "try { require('mine'); process.exit(1) } catch { console.log('repo module not found') }"`)}\n`;
  const c = await Cluster.create({ configToml: config, env: { XDG_CACHE_HOME: cacheHome } });
  try {
    // The user's own install in the repository (ignored, as node_modules is).
    mkdirSync(join(c.root, "node_modules", "mine"), { recursive: true });
    writeFileSync(join(c.root, "node_modules", "mine", "index.js"), "module.exports = 'mine';\n");
    for (const [path, text] of Object.entries(files)) writeFileSync(path, text);
    await c.startServer();
    await c.startWorker("w1");
    const proc = Bun.spawn([PUSHPALS_BIN, "check", "--wait", "--json"], { cwd: c.root, stdout: "pipe", stderr: "pipe", env: { ...process.env, ...c.env } });
    const [stdout] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
    const { job } = JSON.parse(stdout);
    return { job, logs: c.cli(["logs", job.id]).stdout };
  } finally {
    await c.stop();
  }
}

const home = mkdtempSync(join(homedir(), ".pushpals-test-cache-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

test("sandbox off: the checkout is outside the repository, so the repository's own node_modules does not resolve from a check", async () => {
  const { job, logs } = await uncheckedRun(join(home, "clean", "cache"));
  expect({ state: job.state, failure: job.failure?.message ?? null }).toEqual({ state: "succeeded", failure: null });
  expect(logs).toContain("repo module not found");
}, 60_000);

test("sandbox off: a node_modules above the checkouts' folder fails the job `environment`, naming it and the fix", async () => {
  mkdirSync(join(home, "dirty", "node_modules"), { recursive: true });
  const { job } = await uncheckedRun(join(home, "dirty", "cache"));
  expect(job.state).toBe("failed");
  const { class: failureClass, message } = job.failure as { class: string; message: string };
  expect(failureClass).toBe("environment");
  expect(message).toContain(`${join(home, "dirty", "node_modules")} is in a parent directory of the job checkouts`);
  expect(message).toContain("set XDG_CACHE_HOME to a folder only you can write");
}, 60_000);
