import { afterAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfigText } from "../src/config/load.ts";
import { Cluster, PUSHPALS_BIN } from "./helpers/cluster.ts";

/** A monorepo whose root defines no checks (issue #13, item 5): init configures each workspace's, and they run in their folders after one install at the root. */

const LOCK = {
  name: "root",
  lockfileVersion: 3,
  requires: true,
  packages: {
    "": { name: "root", workspaces: ["packages/*"] },
    "node_modules/core": { resolved: "packages/core", link: true },
    "node_modules/web": { resolved: "packages/web", link: true },
    "packages/core": { name: "core", version: "1.0.0" },
    "packages/web": { name: "web", version: "1.0.0" },
  },
};

let c: Cluster;
afterAll(() => c?.stop());

test("each workspace's checks are configured, named by folder, and run there; a failing one names its workspace", async () => {
  c = await Cluster.create({
    files: {
      "package.json": JSON.stringify({ name: "root", private: true, workspaces: ["packages/*"] }),
      "package-lock.json": JSON.stringify(LOCK),
      "packages/core/package.json": JSON.stringify({ name: "core", version: "1.0.0", scripts: { test: "node -e \"require('fs').statSync('core.txt'); console.log('core ok')\"" } }),
      "packages/core/core.txt": "here\n",
      "packages/web/package.json": JSON.stringify({ name: "web", version: "1.0.0", scripts: { lint: "test -f web.txt" } }),
    },
  });
  expect(c.cli(["init"]).exitCode).toBe(0);
  const config = parseConfigText(readFileSync(join(c.root, ".pushpals/config.toml"), "utf8"), "config.toml");
  expect(config.checks.commands).toEqual([
    { name: "test (packages/core)", run: "cd packages/core && npm test" },
    { name: "lint (packages/web)", run: "cd packages/web && npm run lint" },
  ]);
  Bun.spawnSync(["git", "add", "-A"], { cwd: c.root });
  Bun.spawnSync(["git", "commit", "-q", "-m", "config"], { cwd: c.root });
  await c.startServer();
  await c.startWorker("w1");
  const proc = Bun.spawn([PUSHPALS_BIN, "check", "--wait", "--json"], { cwd: c.root, stdout: "pipe", stderr: "pipe", env: { ...process.env, ...c.env } });
  const [stdout] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  const { job } = JSON.parse(stdout);
  expect(job.failure).toMatchObject({ class: "checks_failed" });
  expect(job.failure.message).toContain("lint (packages/web) failed");
  const logs = c.cli(["logs", job.id]).stdout;
  expect(logs).toContain("core ok");
}, 60_000);
