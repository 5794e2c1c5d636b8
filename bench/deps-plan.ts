/**
 * Issue #16: dependency planning on a 20-workspace npm monorepo with 300 dependencies against a local
 * registry (a real Verdaccio, offline). Setup (not timed): 300 packages published (3-6 versions each,
 * half with a new major), the repository locked with real npm (`npm install --package-lock-only`) while
 * only the first versions exist, then the newer versions published, their publish times set back so the
 * minimum release age passes, and node_modules installed (`npm ci`) for npm's own comparison.
 * Timed: scanDependencies (extract + packuments with the ETag cache + plan + advisories + grouping) with
 * an empty cache dir (cold: median of --cold runs, each with a fresh dir) and again with a filled one
 * (warm: every document revalidated, answered 304; median of --warm runs); `npm outdated --all --json` on
 * the same repository and registry, with an empty npm cache and with a warm one (median of --npm runs).
 * Verdaccio has no audit endpoint offline (404): the scan says "no advisories from this registry".
 * The packages are public (`**`: anyone reads and publishes), so publishing and reading go without a
 * token: Verdaccio checks its legacy token against the htpasswd bcrypt hash on every request (~100 ms of
 * its CPU each, one at a time), which would be timed instead of the scan. --auth=1 sends the token anyway.
 * Targets: cold < 5 s, warm < 1 s.
 * Run: bun bench/deps-plan.ts [--packages=300] [--workspaces=20] [--cold=3] [--warm=5] [--npm=3] [--auth=0]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_DEPENDENCY_STEWARD } from "../src/config/dependency-steward-settings.ts";
import { DEFAULT_POLICY } from "../src/policy/policy-defaults.ts";
import { fetchPackuments } from "../src/registry/fetch-packuments.ts";
import type { Packument } from "../src/registry/packument.ts";
import { readNpmConfigSources } from "../src/registry/registry-config.ts";
import { extractDependencies } from "../src/updates/extract.ts";
import { planUpdates } from "../src/updates/plan-updates.ts";
import { scanDependencies, type ScanOfCheckout } from "../src/updates/scan-dependencies.ts";
import { publishVersions, setPublishTimes, startAccessVerdaccio, type AccessRegistry, type VersionFields } from "../test/helpers/registry-fixture.ts";
import { tempDir } from "../test/helpers/temp.ts";
import { fmt, numArg, verdict } from "./bench-util.ts";

const COLD_TARGET_MS = 5_000;
const WARM_TARGET_MS = 1_000;
const packageCount = Math.max(20, numArg("packages", 300));
const workspaceCount = Math.max(1, numArg("workspaces", 20));
const coldRuns = Math.max(1, numArg("cold", 3));
const warmRuns = Math.max(1, numArg("warm", 5));
const npmRuns = Math.max(1, numArg("npm", 3));
const withToken = numArg("auth", 0) > 0;
const PUBLISH_WIDTH = 16;
// 3-6 versions: the first is what the lockfile holds; 5 or 6 versions bring a major (2.0.0).
const VERSIONS = ["1.0.0", "1.0.1", "1.1.0", "1.2.0", "2.0.0", "2.0.1"];
// Days ago, per version above: all past the default 3-day minimum release age but the last of every tenth package.
const AGES = [120, 90, 60, 30, 20, 10];

const name = (i: number) => `bench-pkg-${String(i + 1).padStart(3, "0")}`;
const versionCount = (i: number) => 3 + (i % 4);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const summary = (xs: number[]) => `median ${fmt(median(xs)).padStart(5)} ms  (min ${fmt(Math.min(...xs))}, max ${fmt(Math.max(...xs))})`;

/** `fn` over 0..n-1, at most `width` at once. */
async function inBatches(n: number, width: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, n) }, async () => {
    for (let i = next++; i < n; i = next++) await fn(i);
  }));
}

/**
 * The monorepo's manifests: package i belongs to workspace i % W, as a devDependency when i % 3 === 0;
 * every tenth package is also declared by another workspace, and every 25th by the root, so some are shared.
 * Ranges: mostly `^1.0.0`, some `~1.0.0` and some exact, so in-range, minor and major updates all appear.
 */
function manifests(): { root: object; workspaces: { dir: string; manifest: object }[]; declared: number } {
  const range = (i: number) => (i % 7 === 0 ? "1.0.0" : i % 5 === 0 ? "~1.0.0" : "^1.0.0");
  const ws = Array.from({ length: workspaceCount }, () => ({ dependencies: {} as Record<string, string>, devDependencies: {} as Record<string, string> }));
  let declared = 0;
  const declare = (w: { dependencies: Record<string, string>; devDependencies: Record<string, string> }, i: number) => {
    (i % 3 === 0 ? w.devDependencies : w.dependencies)[name(i)] = range(i);
    declared++;
  };
  for (let i = 0; i < packageCount; i++) {
    declare(ws[i % workspaceCount]!, i);
    if (i % 10 === 0 && workspaceCount > 1) declare(ws[(i + 7) % workspaceCount]!, i);
  }
  const rootDeps = { dependencies: {} as Record<string, string>, devDependencies: {} as Record<string, string> };
  for (let i = 0; i < packageCount; i += 25) declare(rootDeps, i);
  const root = { name: "bench-mono", version: "1.0.0", private: true, workspaces: ["packages/*"], ...rootDeps };
  const workspaces = ws.map((deps, w) => ({ dir: `packages/ws-${String(w + 1).padStart(2, "0")}`, manifest: { name: `@bench/ws-${String(w + 1).padStart(2, "0")}`, version: "1.0.0", private: true, ...deps } }));
  return { root, workspaces, declared };
}

const scratch = tempDir("pushpals-bench-deps-plan-");
let registry: AccessRegistry | undefined;
try {
  const setupStart = performance.now();
  registry = await startAccessVerdaccio();
  const { url, storage } = registry;
  // Anonymous (see above): publishVersions sends `Bearer ` with no token, which Verdaccio takes as no one.
  const token = withToken ? registry.token : "";
  const home = join(scratch.path, "home");
  mkdirSync(home, { recursive: true });
  const userconfig = join(home, ".npmrc");
  writeFileSync(userconfig, `registry=${url}\n${withToken ? `//127.0.0.1:${registry.port}/:_authToken=${token}\n` : ""}`);
  const env = { PATH: process.env.PATH!, HOME: home, NPM_CONFIG_USERCONFIG: userconfig };
  const npmEnv = { ...env, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" };
  const npm = async (args: string[], cwd: string, okCodes = [0]): Promise<{ ms: number; stdout: string }> => {
    const t0 = performance.now();
    const proc = Bun.spawn(["npm", ...args], { cwd, env: npmEnv, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    const ms = performance.now() - t0;
    if (!okCodes.includes(code)) throw new Error(`npm ${args.join(" ")} exited ${code}:\n${stdout.slice(-2000)}${stderr.slice(-4000)}`);
    return { ms, stdout };
  };

  const fields = (i: number): VersionFields[] => VERSIONS.slice(0, versionCount(i)).map((version) => ({ version, engines: { node: ">=18" } }));
  // The first versions, then the lockfile as a developer makes it, before the newer releases exist.
  await inBatches(packageCount, PUBLISH_WIDTH, (i) => publishVersions(url, token, name(i), fields(i).slice(0, 1)));
  const repo = join(scratch.path, "mono");
  const { root, workspaces, declared } = manifests();
  mkdirSync(repo, { recursive: true });
  writeFileSync(join(repo, "package.json"), `${JSON.stringify(root, null, 2)}\n`);
  for (const w of workspaces) {
    mkdirSync(join(repo, w.dir), { recursive: true });
    writeFileSync(join(repo, w.dir, "package.json"), `${JSON.stringify(w.manifest, null, 2)}\n`);
  }
  const npmCache = join(scratch.path, "npm-cache");
  await npm(["install", "--package-lock-only", "--ignore-scripts", "--cache", npmCache], repo);
  await inBatches(packageCount, PUBLISH_WIDTH, (i) => publishVersions(url, token, name(i), fields(i).slice(1)));
  for (let i = 0; i < packageCount; i++) {
    const ages = Object.fromEntries(VERSIONS.slice(0, versionCount(i)).map((v, k) => [v, AGES[k]!]));
    if (i % 10 === 0) ages[VERSIONS[versionCount(i) - 1]!] = 1;
    setPublishTimes(storage, name(i), ages);
  }
  // node_modules at the locked versions, so `npm outdated` has the installed tree it compares with.
  await npm(["ci", "--ignore-scripts", "--cache", npmCache], repo);
  const published = Array.from({ length: packageCount }, (_, i) => versionCount(i)).reduce((a, b) => a + b, 0);
  console.log(`deps-plan: ${workspaceCount} workspaces + root, ${fmt(packageCount)} packages (${fmt(declared)} declarations), ${fmt(published)} versions on a local Verdaccio (${withToken ? "with" : "no"} token); setup ${fmt(performance.now() - setupStart)} ms (not timed)`);

  const npmConfig = readNpmConfigSources(repo, env);
  const logLines: string[] = [];
  const scan = async (cacheDir: string): Promise<{ ms: number; result: ScanOfCheckout }> => {
    const t0 = performance.now();
    const result = await scanDependencies({
      dir: repo,
      npmConfig,
      cacheDir,
      policy: DEFAULT_POLICY,
      settings: DEFAULT_DEPENDENCY_STEWARD,
      now: new Date(),
      log: (line) => logLines.push(line),
      // What the deps-scan handler allows under the default server.max_body_bytes (1 MiB).
      maxBytes: 512 * 1024,
    });
    return { ms: performance.now() - t0, result };
  };

  // One unmeasured scan warms Verdaccio (its storage reads) and this process's JIT, as a long-lived worker would be.
  const first = (await scan(join(scratch.path, "cache-warmup"))).ms;
  const cold: number[] = [];
  let last: ScanOfCheckout | undefined;
  for (let r = 0; r < coldRuns; r++) {
    const { ms, result } = await scan(join(scratch.path, `cache-cold-${r}`));
    cold.push(ms);
    last = result;
  }
  const warmCache = join(scratch.path, `cache-cold-${coldRuns - 1}`);
  const warm: number[] = [];
  for (let r = 0; r < warmRuns; r++) {
    const { ms, result } = await scan(warmCache);
    warm.push(ms);
    last = result;
  }

  // Where a scan's time goes: each stage once more on its own (cold and warm fetches).
  let t = performance.now();
  const extraction = await extractDependencies(repo);
  const extractMs = performance.now() - t;
  const wanted = extraction.dependencies.filter((d) => d.type !== "peer").map((d) => d.name);
  t = performance.now();
  const fetchedCold = await fetchPackuments(wanted, { npmConfig, cacheDir: join(scratch.path, "cache-stages") });
  const fetchColdMs = performance.now() - t;
  t = performance.now();
  const fetchedWarm = await fetchPackuments(wanted, { npmConfig, cacheDir: join(scratch.path, "cache-stages") });
  const fetchWarmMs = performance.now() - t;
  const revalidated = [...fetchedWarm.values()].filter((f) => f.source === "revalidated").length;
  t = performance.now();
  const packuments = new Map<string, Packument>([...fetchedCold].map(([n, f]) => [n, f.packument]));
  const plans = planUpdates({ dependencies: extraction.dependencies, packuments, policy: DEFAULT_POLICY, now: new Date(), engineNode: extraction.engineNode, peers: false });
  const planMs = performance.now() - t;

  // npm outdated on the same repository and registry: with an empty npm cache each run, and with npm's cache warm.
  const npmCold: number[] = [];
  let outdatedCount = 0;
  for (let r = 0; r < npmRuns; r++) {
    const { ms, stdout } = await npm(["outdated", "--all", "--json", "--cache", join(scratch.path, `npm-cache-outdated-${r}`)], repo, [0, 1]);
    npmCold.push(ms);
    outdatedCount = Object.keys(JSON.parse(stdout || "{}") as object).length;
  }
  const npmWarm: number[] = [];
  for (let r = 0; r < npmRuns; r++) npmWarm.push((await npm(["outdated", "--all", "--json", "--cache", join(scratch.path, "npm-cache-outdated-0")], repo, [0, 1])).ms);

  const result = last!;
  const updates = result.groups.reduce((n, g) => n + g.updates.length, 0);
  console.log(`  scan result: ${result.detected.length} detected in ${result.manifests.length} manifests (lockfile ${result.lockfile}); ${updates} updates in ${result.groups.length} groups; ${result.passedOver.length} passed over; complete ${result.complete}`);
  if (result.notes.length > 0) console.log(`  scan notes: ${result.notes.slice(0, 3).map((n) => n.slice(0, 160)).join(" | ")}`);
  console.log(`  first scan in this process (empty cache dir, not counted) ${fmt(first).padStart(5)} ms`);
  console.log(`  cold scan (empty cache dir, ${coldRuns} runs)            ${summary(cold)}`);
  console.log(`  warm scan (same cache dir, all 304, ${warmRuns} runs)      ${summary(warm)}`);
  console.log(`  npm outdated --all --json (empty npm cache, ${npmRuns} runs) ${summary(npmCold)}  (${outdatedCount} packages outdated)`);
  console.log(`  npm outdated --all --json (warm npm cache, ${npmRuns} runs)  ${summary(npmWarm)}`);
  console.log(`  stages once: extract ${fmt(extractMs)} ms (${extraction.dependencies.length} dependencies); packuments cold ${fmt(fetchColdMs)} ms, warm ${fmt(fetchWarmMs)} ms (${revalidated}/${fetchedWarm.size} revalidated); plan ${fmt(planMs)} ms (${plans.length} plans)`);
  const ratio = (a: number, b: number) => `${(a / Math.max(1, b)).toFixed(2)}x`;
  console.log(`  ratios: cold scan / npm outdated (empty cache) ${ratio(median(cold), median(npmCold))}; warm scan / npm outdated (warm cache) ${ratio(median(warm), median(npmWarm))}; cold / npm (warm cache) ${ratio(median(cold), median(npmWarm))}; warm / npm (empty cache) ${ratio(median(warm), median(npmCold))}`);
  verdict(median(cold) < COLD_TARGET_MS, `cold scan of ${workspaceCount} workspaces / ${packageCount} dependencies: median ${fmt(median(cold))} ms (target < ${fmt(COLD_TARGET_MS)} ms); npm outdated --all ${fmt(median(npmCold))} ms`);
  verdict(median(warm) < WARM_TARGET_MS, `warm scan (ETag cache): median ${fmt(median(warm))} ms (target < ${fmt(WARM_TARGET_MS)} ms); npm outdated --all with a warm cache ${fmt(median(npmWarm))} ms`);
} catch (err) {
  verdict(false, `deps-plan: ${(err as Error).message}`);
} finally {
  await registry?.stop();
  scratch.cleanup();
}
