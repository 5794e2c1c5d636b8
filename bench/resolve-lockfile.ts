/**
 * Issue #18: the Conflict Resolver's lockfile strategy on the example repository, against the time of the
 * package manager's own install alone. Setup (not timed): a local Verdaccio (offline, no uplinks) with
 * `lib-a` and `lib-b` 1.0.0 and --deps filler packages (each depending on one of five leaves); a git copy
 * of `examples/sample-repo` that declares them all, locked by real npm while only 1.0.0 exists; then
 * 1.1.0 of both published, and two branches made from that commit: `pr` bumps lib-a to ^1.1.0 and `main`
 * bumps lib-b to ^1.1.0, each relocked by npm, so package.json and package-lock.json both conflict.
 * Timed, --runs rounds, interleaved:
 * (a) the resolution as the `resolve-conflict` job does it (resolve-conflict-handler.ts) in a fresh job
 *     checkout of the PR's head (the checkout is timed apart): `mergeInto` the base, each conflicted file's
 *     sides read and `resolveFile` (package.json: json, package-lock.json: lockfile), the results written and
 *     marked resolved, and `updateLockfile` (npm's version probe, then `npm install --package-lock-only` in
 *     the install sandbox, bubblewrap plus the egress proxy to the registry, HOME empty so npm's cache is cold);
 * (b) the package manager alone, unsandboxed, on the same trees: `npm install --package-lock-only` on the
 *     merged tree before regeneration, and `npm ci` on the resolved tree, each with an empty npm cache (as the
 *     job's sandbox has) and, for context, with a warm one.
 * Prints medians and the ratios. Target: the resolution median at most 1.5x `npm install --package-lock-only`
 * alone (PushPals' merge, strategies, probe and sandbox add at most half of what the package manager takes).
 * Run: bun bench/resolve-lockfile.ts [--runs=5] [--deps=20]
 */
import { cpSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { resolveFile, type FileOutcome } from "../src/conflicts/resolve-file.ts";
import { newId } from "../src/core/ids.ts";
import { DEFAULT_INSTALL } from "../src/deps/installers.ts";
import { updateLockfile } from "../src/deps/update-lockfile.ts";
import { runtimePathsFor } from "../src/runtime-dir/paths.ts";
import { sandboxFor } from "../src/sandbox/sandbox-for.ts";
import { DEFAULT_SANDBOX_SETTINGS } from "../src/sandbox/sandbox-settings.ts";
import type { CommandReport } from "../src/sandbox/command-report.ts";
import { markResolved, mergeInto, stageText, unmerged } from "../src/scm/merge-in.ts";
import { addJobCheckout, removeCheckout, type JobCheckout } from "../src/scm/worktree.ts";
import { publishVersions, startAccessVerdaccio, type AccessRegistry } from "../test/helpers/registry-fixture.ts";
import { tempDir } from "../test/helpers/temp.ts";
import { writeRegistryNpmrc } from "../test/helpers/verdaccio.ts";
import { fmt, numArg, verdict } from "./bench-util.ts";

const TARGET_RATIO = 1.5;
const runs = Math.max(1, numArg("runs", 5));
const fillerCount = numArg("deps", 20);
const LEAVES = 5;
const example = resolve(import.meta.dir, "../examples/sample-repo");
const NPM_FLAGS = ["--ignore-scripts", "--no-audit", "--no-fund"];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const summary = (xs: number[]) => `median ${fmt(median(xs)).padStart(5)} ms  (min ${fmt(Math.min(...xs))}, max ${fmt(Math.max(...xs))})`;
const filler = (i: number) => `bench-dep-${String(i + 1).padStart(2, "0")}`;
const leaf = (i: number) => `bench-leaf-${i + 1}`;

function git(cwd: string, ...args: string[]): string {
  const identity = ["-c", "user.name=PushPals Bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false"];
  const r = Bun.spawnSync(["git", ...identity, ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString().trim()}`);
  return r.stdout.toString().trim();
}

/** A copy of a checkout's files (its sandbox `.git` left out) for npm to run in on its own. */
function copyTree(from: string, to: string): void {
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true, filter: (p) => basename(p) !== ".git" && basename(p) !== "node_modules" });
}

const scratch = tempDir("pushpals-bench-resolve-lockfile-");
let registry: AccessRegistry | undefined;
try {
  const setupStart = performance.now();
  registry = await startAccessVerdaccio();
  const { url } = registry;
  const root = realpathSync(scratch.path);
  // npm run on its own reads this one (every other host goes to a closed port); the install sandbox reads the
  // user's config as a worker would (NPM_CONFIG_USERCONFIG), and its egress proxy lets it reach that registry only.
  const guarded = join(root, "npm-guarded.npmrc");
  writeRegistryNpmrc(guarded, url);
  const userNpmrc = join(root, "home", ".npmrc");
  mkdirSync(join(root, "home"), { recursive: true });
  writeFileSync(userNpmrc, `registry=${url}\n`);
  process.env.NPM_CONFIG_USERCONFIG = userNpmrc;
  const npmEnv = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !/^npm_config_/i.test(e[0])));
  let caches = 0;
  const npm = async (cwd: string, args: string[], cache = join(root, `npm-cache-${++caches}`)): Promise<number> => {
    const t0 = performance.now();
    const proc = Bun.spawn(["npm", ...args, ...NPM_FLAGS, "--userconfig", guarded, "--cache", cache], { cwd, env: { ...npmEnv, HOME: join(root, "home") }, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    const ms = performance.now() - t0;
    if (code !== 0) throw new Error(`npm ${args.join(" ")} exited ${code} in ${cwd}:\n${stdout.slice(-2000)}${stderr.slice(-4000)}`);
    return ms;
  };

  // Anonymous publishes (an empty token): Verdaccio would check a token's bcrypt hash on every request.
  for (let i = 0; i < LEAVES; i++) await publishVersions(url, "", leaf(i), [{ version: "1.0.0" }]);
  for (let i = 0; i < fillerCount; i++) await publishVersions(url, "", filler(i), [{ version: "1.0.0", dependencies: { [leaf(i % LEAVES)]: "^1.0.0" } }]);
  for (const name of ["lib-a", "lib-b"]) await publishVersions(url, "", name, [{ version: "1.0.0" }]);

  // The example, committed; then its dependencies, locked while only 1.0.0 exists.
  const repo = join(root, "repo");
  cpSync(example, repo, { recursive: true, filter: (p) => !["node_modules", "dist"].includes(basename(p)) });
  git(repo, "init", "-q", "-b", "main");
  git(repo, "add", "-A");
  git(repo, "commit", "-q", "-m", "example");
  const manifestFile = join(repo, "package.json");
  const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as Record<string, unknown>;
  const deps: Record<string, string> = Object.fromEntries(Array.from({ length: fillerCount }, (_, i) => [filler(i), "^1.0.0"]));
  deps["lib-a"] = "^1.0.0";
  deps["lib-b"] = "^1.0.0";
  const writeManifest = (d: Record<string, string>) => writeFileSync(manifestFile, `${JSON.stringify({ ...manifest, dependencies: d }, null, 2)}\n`);
  writeManifest(deps);
  const setupCache = join(root, "npm-cache-setup");
  await npm(repo, ["install", "--package-lock-only"], setupCache);
  git(repo, "add", "-A");
  git(repo, "commit", "-q", "-m", "dependencies");
  for (const name of ["lib-a", "lib-b"]) await publishVersions(url, "", name, [{ version: "1.1.0" }]);

  // The PR bumps lib-a; the base, meanwhile, bumps lib-b: each relocked by npm.
  git(repo, "checkout", "-q", "-b", "pr");
  writeManifest({ ...deps, "lib-a": "^1.1.0" });
  await npm(repo, ["install", "--package-lock-only"], setupCache);
  git(repo, "commit", "-q", "-am", "bump lib-a to 1.1.0");
  const prHead = git(repo, "rev-parse", "HEAD");
  git(repo, "checkout", "-q", "main");
  writeManifest({ ...deps, "lib-b": "^1.1.0" });
  await npm(repo, ["install", "--package-lock-only"], setupCache);
  git(repo, "commit", "-q", "-am", "bump lib-b to 1.1.0");
  const baseHead = git(repo, "rev-parse", "HEAD");
  const lockLines = readFileSync(join(repo, "package-lock.json"), "utf8").split("\n").length;

  const paths = runtimePathsFor(repo, join(repo, ".git"));
  for (const dir of [paths.runtimeDir, paths.peopleDir]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const sandboxCtx = { sandbox: DEFAULT_SANDBOX_SETTINGS, paths };
  const signal = new AbortController().signal;
  const merged = join(root, "tree-merged");
  const resolved = join(root, "tree-resolved");

  interface Resolution {
    checkoutMs: number;
    mergeMs: number;
    strategiesMs: number;
    lockfileMs: number;
    npmMs: number;
    totalMs: number;
  }

  /** One resolution, as the job runs it, in a fresh job checkout; `keep` copies the trees npm runs on alone. */
  const resolveOnce = async (keep = false): Promise<Resolution> => {
    const t0 = performance.now();
    const checkout: JobCheckout = await addJobCheckout(paths, newId("job"), 1, prHead, "resolve");
    try {
      const t1 = performance.now();
      const merge = await mergeInto(checkout, baseHead);
      const t2 = performance.now();
      if (merge.conflicted.join(",") !== "package-lock.json,package.json") throw new Error(`expected package.json and package-lock.json to conflict, got: ${merge.conflicted.join(", ") || "none"}`);
      const outcomes = new Map<string, FileOutcome>();
      for (const path of merge.conflicted) {
        const [base, ours, theirs] = await Promise.all([stageText(checkout, 1, path), stageText(checkout, 2, path), stageText(checkout, 3, path)]);
        outcomes.set(path, resolveFile(path, { base, ours, theirs, merged: readFileSync(join(checkout.dir, path), "utf8") }));
      }
      for (const [path, o] of outcomes) {
        if (o.strategy === "unresolved") throw new Error(`${path} stayed unresolved: ${o.notes.join("; ")}`);
        writeFileSync(join(checkout.dir, path), o.text);
      }
      await markResolved(checkout, [...outcomes.keys()]);
      const t3 = performance.now();
      if (keep) copyTree(checkout.dir, merged);
      const t3b = performance.now();
      const reports: CommandReport[] = [];
      await updateLockfile({
        dir: checkout.dir,
        cacheDir: paths.depsCacheDir,
        settings: DEFAULT_INSTALL,
        signal,
        log: () => {},
        recordCommand: async (r) => void reports.push(r),
        env: {},
        sandbox: sandboxFor(sandboxCtx, checkout.dir, { network: DEFAULT_SANDBOX_SETTINGS.install_network }),
      });
      const t4 = performance.now();
      const lock = JSON.parse(readFileSync(join(checkout.dir, "package-lock.json"), "utf8")) as { packages: Record<string, { version?: string }> };
      const got = [lock.packages["node_modules/lib-a"]?.version, lock.packages["node_modules/lib-b"]?.version];
      if (got.join() !== "1.1.0,1.1.0" || (await unmerged(checkout)).length > 0) throw new Error(`the regenerated lockfile locks lib-a ${got[0]}, lib-b ${got[1]}`);
      if (keep) copyTree(checkout.dir, resolved);
      const npmMs = reports.filter((r) => r.command.startsWith("npm install")).reduce((n, r) => n + r.durationMs, 0);
      return { checkoutMs: t1 - t0, mergeMs: t2 - t1, strategiesMs: t3 - t2, lockfileMs: t4 - t3b, npmMs, totalMs: t4 - t1 - (t3b - t3) };
    } finally {
      removeCheckout(checkout);
    }
  };

  /** npm on a fresh copy of a tree (the copy not timed). */
  let copies = 0;
  const npmOn = async (tree: string, args: string[], cache?: string): Promise<number> => {
    const dir = join(root, `npm-run-${++copies}`);
    copyTree(tree, dir);
    try {
      return await npm(dir, args, cache);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  // Warm-up (not counted): Verdaccio's storage reads, this process's JIT, the page cache; the warm npm cache filled.
  await resolveOnce(true);
  const warmCache = join(root, "npm-cache-warm");
  await npmOn(merged, ["install", "--package-lock-only"], warmCache);
  await npmOn(resolved, ["ci"], warmCache);
  console.log(
    `resolve-lockfile: the example + ${fillerCount} filler dependencies (+${LEAVES} leaves) + lib-a, lib-b on a local Verdaccio; package-lock.json ${fmt(lockLines)} lines; PR bumps lib-a, base bumps lib-b; setup ${fmt(performance.now() - setupStart)} ms (not timed)`,
  );

  const results: Resolution[] = [];
  const lockCold: number[] = [];
  const ciCold: number[] = [];
  const lockWarm: number[] = [];
  const ciWarm: number[] = [];
  for (let r = 0; r < runs; r++) {
    results.push(await resolveOnce());
    lockCold.push(await npmOn(merged, ["install", "--package-lock-only"]));
    ciCold.push(await npmOn(resolved, ["ci"]));
    lockWarm.push(await npmOn(merged, ["install", "--package-lock-only"], warmCache));
    ciWarm.push(await npmOn(resolved, ["ci"], warmCache));
  }
  const pick = (f: (r: Resolution) => number) => results.map(f);
  const total = median(pick((r) => r.totalMs));
  const ratioLock = total / median(lockCold);
  const ratioCi = total / median(ciCold);
  console.log(`  (a) resolution, ${runs} runs: merge + strategies + updateLockfile, sandboxed as in the job`);
  console.log(`      job checkout (not counted)               ${summary(pick((r) => r.checkoutMs))}`);
  console.log(`      git merge --no-commit (mergeInto)        ${summary(pick((r) => r.mergeMs))}`);
  console.log(`      sides + resolveFile + write + git add    ${summary(pick((r) => r.strategiesMs))}`);
  console.log(`      updateLockfile (probe + sandboxed npm)   ${summary(pick((r) => r.lockfileMs))}`);
  console.log(`        of it, the sandboxed npm command       ${summary(pick((r) => r.npmMs))}`);
  console.log(`      resolution total                         ${summary(pick((r) => r.totalMs))}`);
  console.log(`  (b) the package manager alone, unsandboxed, same trees, ${runs} runs`);
  console.log(`      npm install --package-lock-only (empty npm cache)  ${summary(lockCold)}`);
  console.log(`      npm ci                          (empty npm cache)  ${summary(ciCold)}`);
  console.log(`      npm install --package-lock-only (warm npm cache)   ${summary(lockWarm)}`);
  console.log(`      npm ci                          (warm npm cache)   ${summary(ciWarm)}`);
  console.log(`  ratios (medians): resolution / npm install --package-lock-only ${ratioLock.toFixed(2)}x; resolution / npm ci ${ratioCi.toFixed(2)}x (empty npm caches)`);
  verdict(ratioLock <= TARGET_RATIO, `resolution ${fmt(total)} ms = ${ratioLock.toFixed(2)}x npm install --package-lock-only alone (target <= ${TARGET_RATIO}x)`);
} finally {
  await registry?.stop();
  scratch.cleanup();
}
