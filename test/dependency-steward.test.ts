import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { routes } from "../src/api/routes.ts";
import type { WorkItem } from "../src/planning/work-item.ts";
import type { PullRequest } from "../src/prs/pr-types.ts";
import type { DependencyDashboard } from "../src/sources/dependency-updates/dashboard.ts";
import { Cluster } from "./helpers/cluster.ts";
import { publishVersions, setPublishTimes, startAccessVerdaccio, type AccessRegistry } from "./helpers/registry-fixture.ts";
import { tempDir } from "./helpers/temp.ts";

/**
 * Issue #16 end to end: a real npm workspace locked against a real registry (Verdaccio), the real
 * processes (server, WorkerPal, SourceControlManager, ReviewAgent, RemoteAgent) and the real sandbox.
 * The RemoteAgent asks for a scan at start; the scan files grouped updates under the default policy
 * (minimum release age 3 days, patch Low, minor Medium, major High) with Low allowed to merge on its
 * own; the steward's PRs edit only the ranges, regenerate the lockfile in the sandbox, and pass `npm ci`
 * and a check on their head. A person closing one PR turns its versions down until a newer one appears.
 */

const ROOT_MANIFEST = `{
  "name": "mono",
  "private": true,
  "workspaces": ["packages/*"],
  "dependencies": {
    "lib-a": "^1.0.0"
  },
  "devDependencies": {
    "dev-tool": "~1.0.0"
  }
}
`;
// Tabs, another key order, no final newline: kept byte for byte outside the changed value.
const APP_MANIFEST = '{\n\t"version": "1.0.0",\n\t"name": "app",\n\t"dependencies": {\n\t\t"lib-a": "^1.0.0"\n\t}\n}';
const CONFIG = ['[repo]', 'base_branch = "main"', "", "[[checks.commands]]", 'name = "uses-lib-a"', `run = ${JSON.stringify("node -e \"console.log(require('lib-a'))\"")}`, ""].join("\n");
const CHANGELOG = "# Changelog\n\n## 1.1.0 (2026-11-20)\n\n- faster parsing, thanks @someone\n\n## [1.0.1](https://example.invalid) (2026-11-10)\n\n- a fix\n\n## 1.0.0\n\n- first\n";

const scratch = tempDir("pushpals-steward-e2e-");
let registry: AccessRegistry;
let cluster: Cluster;
let lockfile: string;

function npmrc(home: string): string {
  mkdirSync(home, { recursive: true });
  const file = join(home, ".npmrc");
  writeFileSync(file, `registry=${registry.url}\n//127.0.0.1:${registry.port}/:_authToken=${registry.token}\n`);
  return file;
}

beforeAll(async () => {
  registry = await startAccessVerdaccio();
  const { url, token } = registry;
  await publishVersions(url, token, "helper-dep", [{ version: "1.0.0" }]);
  await publishVersions(url, token, "lib-a", [{ version: "1.0.0" }]);
  await publishVersions(url, token, "dev-tool", [{ version: "1.0.0" }]);
  // The lockfile, made as a developer makes it, before the newer releases exist.
  const dev = join(scratch.path, "dev");
  mkdirSync(join(dev, "packages", "app"), { recursive: true });
  writeFileSync(join(dev, "package.json"), ROOT_MANIFEST);
  writeFileSync(join(dev, "packages", "app", "package.json"), APP_MANIFEST);
  const userconfig = npmrc(join(scratch.path, "dev-home"));
  const npm = Bun.spawnSync(["npm", "install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: dev, env: { PATH: process.env.PATH!, HOME: join(scratch.path, "dev-home"), NPM_CONFIG_USERCONFIG: userconfig }, stdout: "pipe", stderr: "pipe" });
  if (npm.exitCode !== 0) throw new Error(npm.stderr.toString());
  lockfile = readFileSync(join(dev, "package-lock.json"), "utf8");

  await publishVersions(url, token, "lib-a", [{ version: "1.0.1" }, { version: "1.1.0", dependencies: { "helper-dep": "^1.0.0" }, files: { "CHANGELOG.md": CHANGELOG } }, { version: "1.2.0" }, { version: "2.0.0" }]);
  await publishVersions(url, token, "dev-tool", [{ version: "1.0.3" }]);
  setPublishTimes(registry.storage, "lib-a", { "1.0.0": 60, "1.0.1": 30, "1.1.0": 10, "2.0.0": 5 });
  setPublishTimes(registry.storage, "dev-tool", { "1.0.0": 60, "1.0.3": 10 });
  setPublishTimes(registry.storage, "helper-dep", { "1.0.0": 60 });

  const home = join(scratch.path, "home");
  const userNpmrc = npmrc(home);
  cluster = await Cluster.create({
    configToml: CONFIG,
    files: { "package.json": ROOT_MANIFEST, "packages/app/package.json": APP_MANIFEST, "package-lock.json": lockfile, ".gitignore": "node_modules/\n", ".pushpals/policy.toml": "[low]\nauto_merge = true\n" },
    env: { HOME: home, NPM_CONFIG_USERCONFIG: userNpmrc, npm_config_userconfig: userNpmrc, PUSHPALS_DEPENDENCY_STEWARD_SCAN_EVERY_SECONDS: "3600" },
  });
  await cluster.startServer();
  await cluster.startWorker("w1");
  await cluster.startAgents();
  await cluster.startRemoteAgent();
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  await registry?.stop();
  scratch.cleanup();
});

async function stewardItems(): Promise<WorkItem[]> {
  return (await cluster.client.call(routes.listWorkItems, { query: { all: "1" } })).items.filter((i) => i.type === "dependency_update");
}

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${cluster.cli(["jobs"]).stdout}\n${cluster.procs.map((p) => p.output()).join("\n---\n").slice(-6000)}`);
    await Bun.sleep(100);
  }
}

function board(): DependencyDashboard {
  const r = cluster.cli(["deps", "--json"]);
  if (r.exitCode !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as DependencyDashboard;
}

function show(ref: string, path: string): string {
  const r = Bun.spawnSync(["git", "show", `${ref}:${path}`], { cwd: cluster.root, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  return r.stdout.toString();
}

async function prOf(item: WorkItem): Promise<PullRequest> {
  return (await cluster.client.call(routes.getPr, { params: { number: Number(item.detail.pr) } })).pr;
}

test("the RemoteAgent's scan at start files the updates the policy allows, grouped; the dashboard says why the others wait", async () => {
  const items = await waitFor("three steward items", async () => {
    const all = await stewardItems();
    return all.length >= 3 && all;
  });
  const byKey = Object.fromEntries(items.map((i) => [i.dedupeKey, i]));
  expect(Object.keys(byKey).sort()).toEqual(["deps:main:dev-non-major", "deps:main:major-lib-a-2", "deps:main:prod-non-major"]);
  const prod = byKey["deps:main:prod-non-major"]!;
  // 1.2.0 is a day old: under the 3-day minimum release age, so 1.1.0 is the newest allowed; one group updates both manifests.
  expect((prod.detail.group as { updates: { name: string; manifestPath: string; to: string; newRange: string }[] }).updates.map((u) => [u.manifestPath, u.name, u.to, u.newRange])).toEqual([
    ["package.json", "lib-a", "1.1.0", "^1.1.0"],
    ["packages/app/package.json", "lib-a", "1.1.0", "^1.1.0"],
  ]);
  expect(prod.risk).toBe("medium");
  expect(prod.scope).toEqual(["package.json", "packages/app/package.json", "package-lock.json"]);
  expect(byKey["deps:main:dev-non-major"]!.risk).toBe("low");
  expect(byKey["deps:main:major-lib-a-2"]!.risk).toBe("high");

  const b = board();
  expect(b.scan).toMatchObject({ branch: "main", ecosystem: "npm", lockfile: "package-lock.json", complete: true, manifests: ["package.json", "packages/app/package.json"] });
  expect(b.detected.map((d) => `${d.manifestPath}:${d.name}@${d.locked}`).sort()).toEqual(["package.json:dev-tool@1.0.0", "package.json:lib-a@1.0.0", "packages/app/package.json:lib-a@1.0.0"]);
  expect(b.ignored.some((i) => i.name === "lib-a" && i.version === "1.2.0" && /too new/.test(i.reason))).toBe(true);
  const text = cluster.cli(["deps"]).stdout;
  expect(text).toContain("scanned main at");
  expect(text).toMatch(/lib-a .*1\.2\.0.*too new/);
}, 120_000);

test("each allowed group ships as one PR: only the ranges change, the lockfile is regenerated, npm ci and the check pass on its head", async () => {
  const prod = await waitFor("the production group's PR", async () => {
    const item = (await stewardItems()).find((i) => i.dedupeKey === "deps:main:prod-non-major");
    return item && typeof item.detail.pr === "number" && item;
  });
  const pr = await prOf(prod);
  expect(pr.title).toBe("chore(deps): update dependencies (non-major)");
  expect(pr.files.map((f) => f.path).sort()).toEqual(["package-lock.json", "package.json", "packages/app/package.json"]);
  expect(pr.checks.state).toBe("passed");
  expect(pr.role).toBe("dependency_steward");
  // Byte for byte, outside the changed value: tabs, key order, no final newline.
  expect(show(pr.headSha, "packages/app/package.json")).toBe(APP_MANIFEST.replace('"lib-a": "^1.0.0"', '"lib-a": "^1.1.0"'));
  expect(show(pr.headSha, "package.json")).toBe(ROOT_MANIFEST.replace('"lib-a": "^1.0.0"', '"lib-a": "^1.1.0"'));
  const lock = JSON.parse(show(pr.headSha, "package-lock.json")) as { packages: Record<string, { version?: string; resolved?: string }> };
  expect(lock.packages["node_modules/lib-a"]!.version).toBe("1.1.0");
  // The new version's own dependency came with it, from the registry.
  expect(lock.packages["node_modules/helper-dep"]!.resolved).toStartWith(registry.url);
  expect(lock.packages["node_modules/dev-tool"]!.version).toBe("1.0.0");
  // The body: the task, the table, the tier's reason, the lockfile's check, the release notes in between, the rollback.
  expect(pr.body).toContain("**Goal:** update dependencies (non-major)");
  expect(pr.body).toContain("| lib-a | packages/app/package.json | ^1.0.0 (1.0.0) | ^1.1.0 (1.1.0) | minor | 10 d | medium |");
  expect(pr.body).toContain("only the updated packages and their dependencies changed");
  expect(pr.body).toContain("#### 1.1.0");
  expect(pr.body).toContain("#### 1.0.1");
  expect(pr.body).not.toContain("#### 1.0.0\n");
  expect(pr.body).not.toContain("@someone");
  expect(pr.body.trim().split("\n").at(-1)).toStartWith("**Rollback:**");
  const b = board();
  expect(b.open.map((r) => r.item)).toContain(prod.id);
}, 180_000);

test("a major update waits for a person: High, it stops to ask for its approved RFC", async () => {
  const major = await waitFor("the major item blocked", async () => {
    const item = (await stewardItems()).find((i) => i.dedupeKey === "deps:main:major-lib-a-2");
    return item?.state === "blocked" && item;
  });
  expect(major.escalation).toBe("high_risk");
  expect(major.question).toContain("RFC");
  expect(board().blocked.map((r) => r.item)).toContain(major.id);
}, 120_000);

test("a Low update (a patch) merges on its own, as the policy allows; its item is done", async () => {
  const dev = await waitFor("the dev group's item done", async () => {
    const item = (await stewardItems()).find((i) => i.dedupeKey === "deps:main:dev-non-major");
    return item?.state === "done" && item;
  });
  const pr = await prOf(dev);
  expect(pr.state).toBe("merged");
  expect(pr.files.map((f) => f.path).sort()).toEqual(["package-lock.json", "package.json"]);
  expect(show("main", "package.json")).toContain('"dev-tool": "~1.0.3"');
  // The Medium one waits for a person's approval.
  const prod = (await stewardItems()).find((i) => i.dedupeKey === "deps:main:prod-non-major")!;
  expect((await prOf(prod)).state).toBe("open");
}, 120_000);

test("an update a person closed is not proposed again, until a newer version appears", async () => {
  const prod = (await stewardItems()).find((i) => i.dedupeKey === "deps:main:prod-non-major")!;
  const pr = await prOf(prod);
  expect(cluster.cli(["pr", "close", String(pr.number), "--why", "not this one"]).exitCode).toBe(0);
  await waitFor("the prod item stopped", async () => (await stewardItems()).find((i) => i.id === prod.id && i.state === "blocked"));

  const again = cluster.cli(["deps", "scan", "--wait", "--json"]);
  expect(again.exitCode).toBe(0);
  const after = JSON.parse(again.stdout) as DependencyDashboard;
  expect(after.turnedDown.map((r) => r.item)).toContain(prod.id);
  expect(after.pending.map((r) => r.item)).not.toContain(prod.id);
  expect((await stewardItems()).find((i) => i.id === prod.id)!.state).toBe("blocked");

  await publishVersions(registry.url, registry.token, "lib-a", [{ version: "1.1.1" }]);
  setPublishTimes(registry.storage, "lib-a", { "1.1.1": 4 });
  expect(cluster.cli(["deps", "scan", "--wait"]).exitCode).toBe(0);
  const reopened = await waitFor("the prod item reopened", async () => {
    const item = (await stewardItems()).find((i) => i.id === prod.id);
    return item && item.state !== "blocked" && item;
  });
  const updates = (reopened.detail.group as { updates: { name: string; manifestPath: string; to: string }[] }).updates;
  expect(updates.map((u) => `${u.manifestPath}:${u.name}@${u.to}`)).toEqual(["package.json:lib-a@1.1.1", "packages/app/package.json:lib-a@1.1.1"]);
  expect(reopened.detail.rejected).toEqual({ "package.json|lib-a|minor": "1.1.0", "packages/app/package.json|lib-a|minor": "1.1.0" });
}, 240_000);
