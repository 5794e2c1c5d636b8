import { Database } from "bun:sqlite";
import { accessSync, constants, existsSync, statfsSync, statSync } from "node:fs";
import { ensurePrivateDir } from "../runtime-dir/private-dir.ts";
import { createServer } from "node:net";
import { dirname } from "node:path";
import { loadEffectiveConfig } from "../config/load.ts";
import { isPushpalsError } from "../core/errors.ts";
import type { RuntimePaths } from "../runtime-dir/paths.ts";
import { LATEST_SCHEMA_VERSION } from "../store/migrations.ts";
import { ServerLock } from "../runtime-dir/server-lock.ts";
import { probeSandbox } from "../sandbox/probe.ts";
import { DEFAULT_SANDBOX_SETTINGS, type SandboxSettings } from "../sandbox/sandbox-settings.ts";
import { readServerInfo } from "../runtime-dir/server-file.ts";
import { git } from "../scm/git.ts";
import { error, ok, warn, type Finding } from "./finding.ts";
import { recoverStaleRuntime } from "./recover.ts";
import { packageManagerStatus } from "../deps/package-manager-status.ts";
import { probeRegistry } from "./registry-probe.ts";
import { checkToolchains } from "./toolchains.ts";
import { checkModelBackend } from "./model-backend.ts";
import { checkModelExecutors } from "./model-executors.ts";
import { checkoutPathsFor, unsandboxedCheckoutsProblem } from "../runtime-dir/unsandboxed-checkouts.ts";
import { findStructuredDriver, STRUCTURED_DRIVER } from "../conflicts/structured-merge.ts";
import { assertConfigKinds } from "../kinds/registry.ts";

export const MIN_GIT = [2, 25] as const;
export const MIN_FREE_BYTES = 500 * 1024 * 1024;
/**
 * Operator override for the free-disk threshold (PP006), in MB: e.g. `PUSHPALS_MIN_FREE_MB=2048` on a
 * machine whose jobs need bigger worktrees, or a low value on a small disk the operator knows is enough.
 */
export const MIN_FREE_ENV = "PUSHPALS_MIN_FREE_MB";

export interface PreflightOptions {
  /** Fix what can be fixed safely (stale pid/port files of a crashed run) and create the runtime directory. */
  recover: boolean;
  /** Free bytes required where the runtime lives (PP006). Default: env `PUSHPALS_MIN_FREE_MB`, else 500 MB. */
  minFreeBytes?: number;
  /** Also ask the registry the way an install does (PP014, `doctor --registry`): it reaches the network. */
  probeRegistry?: boolean;
}

/**
 * Everything `start` needs from the machine and the repository, checked up front so a failure is a
 * clear message with a fix instead of a crash later. Never prompts. Without `recover` (doctor) it
 * changes nothing on disk.
 */
export async function preflight(paths: RuntimePaths, options: PreflightOptions): Promise<Finding[]> {
  const findings: Finding[] = [];
  const gitFinding = await checkGit(paths.repoRoot);
  findings.push(gitFinding);
  // Without a runnable git there is nothing to ask about commits; PP001 already says what to do.
  if (gitFinding.code !== "PP001" || gitFinding.level !== "error") findings.push(await checkCommits(paths.repoRoot));
  const config = checkConfig(paths, findings);
  // The slowest check (it starts a sandbox) runs while the others do; its finding keeps its place in the list.
  const sandbox = checkSandbox(config?.sandbox ?? DEFAULT_SANDBOX_SETTINGS);
  if (config) {
    const pm = packageManagerStatus({
      repoRoot: paths.repoRoot,
      runtimeDir: paths.runtimeDir,
      install: { packageManager: config.install.package_manager, allowScripts: config.install.allow_scripts, timeoutSeconds: config.install.timeout_seconds },
      installNetwork: config.sandbox.install_network,
    });
    findings.push(pm.level === "ok" ? ok(PACKAGE_MANAGER_CODE, pm.summary) : warn(PACKAGE_MANAGER_CODE, pm.summary, pm.fix ?? "see `pushpals doctor`"));
    // What PushPals puts on the jobs' PATH itself (its own Bun, a provisioned release) is no missing program.
    const provided = pm.packageManager && ["runtime", "provisioned", "will_provision"].includes(pm.available.kind) ? providedPrograms(pm.packageManager) : [];
    findings.push(...checkToolchains(config.checks.commands, { repoRoot: paths.repoRoot, path: process.env.PATH ?? "", sandboxed: config.sandbox.mode !== "off", provided }));
    findings.push(await checkModelBackend(config.models, { env: process.env, repoRoot: paths.repoRoot }));
    findings.push(checkModelExecutors(config.models, { path: process.env.PATH ?? "", sandbox: config.sandbox, paths }));
  }
  findings.push(checkRuntimeDir(paths.runtimeDir, options.recover));
  const threshold = minFreeBytes(options, findings);
  findings.push(checkDisk(paths.runtimeDir, threshold));
  if (config?.server.port) findings.push(await checkPort(config.server.port, runningServerPid(paths, config.server.port)));
  findings.push(...(await recoverStaleRuntime(paths, options.recover)));
  findings.push(checkDatabase(paths.dbPath));
  findings.push(await sandbox);
  if (config?.sandbox.mode === "off") findings.push(checkUnsandboxedCheckouts(paths));
  findings.push(checkStructuredDriver());
  if (options.probeRegistry && config) findings.push(await probeRegistry(paths, config));
  return findings;
}

export function hasErrors(findings: Finding[]): boolean {
  return findings.some((f) => f.level === "error");
}

async function checkGit(cwd: string): Promise<Finding> {
  const install = `install git ${MIN_GIT.join(".")} or newer (apt-get install git) and make sure it is on PATH`;
  let r: Awaited<ReturnType<typeof git>>;
  try {
    r = await git(["--version"], { cwd, allowFailure: true, timeoutMs: 10_000 });
  } catch (err) {
    // git() throws its own error only when git ran and hung; anything else means it could not be started.
    if (isPushpalsError(err)) return error("PP001", `git does not work: ${err.message}`, err.hint ?? install);
    return error("PP001", "git is not installed or not on PATH", install);
  }
  if (r.exitCode !== 0) return error("PP001", `git --version failed (exit ${r.exitCode}): ${(r.stderr.trim() || r.stdout.trim()).split("\n")[0]}`, install);
  const [major = 0, minor = 0] = (/(\d+)\.(\d+)/.exec(r.stdout)?.slice(1) ?? []).map(Number);
  if (major < MIN_GIT[0] || (major === MIN_GIT[0] && minor < MIN_GIT[1])) {
    return error("PP002", `git ${major}.${minor} is too old (job checkouts need ${MIN_GIT.join(".")}+)`, `upgrade git to ${MIN_GIT.join(".")} or newer`);
  }
  return ok("PP001", `git ${major}.${minor}`);
}

async function checkCommits(cwd: string): Promise<Finding> {
  try {
    const r = await git(["rev-parse", "--verify", "HEAD"], { cwd, allowFailure: true, timeoutMs: 10_000 });
    if (r.exitCode !== 0) return error("PP003", "the repository has no commits yet: jobs run on exact commits", 'commit something first: git add -A && git commit -m "initial"');
    return ok("PP003", `HEAD is ${r.stdout.trim().slice(0, 12)}`);
  } catch (err) {
    return error("PP003", `could not read HEAD: ${(err as Error).message}`, "run `git status` in the repository to see what git says");
  }
}

const PACKAGE_MANAGER_CODE = "PP013";

/** The commands a provided package manager answers to. */
function providedPrograms(pm: string): string[] {
  if (pm === "pnpm") return ["pnpm", "pnpx"];
  if (pm === "bun") return ["bun", "bunx"];
  return [pm];
}

function checkConfig(paths: RuntimePaths, findings: Finding[]) {
  try {
    const effective = loadEffectiveConfig({ repoRoot: paths.repoRoot, runtimeDir: paths.runtimeDir, env: process.env });
    assertConfigKinds(effective);
    const { config } = effective;
    findings.push(config.checks.commands.length ? ok("PP004", `config valid; checks: ${config.checks.commands.map((c) => c.name).join(", ")}`) : warn("PP004", "config valid but no check commands are configured", "run `pushpals init` or add [[checks.commands]] to .pushpals/config.toml"));
    return config;
  } catch (err) {
    if (!isPushpalsError(err)) throw err;
    findings.push(error("PP004", err.message, err.hint ?? "fix .pushpals/config.toml"));
    return null;
  }
}

/** With `create` (start) the directory is made; without (doctor) only whether it could be is checked. */
function checkRuntimeDir(dir: string, create: boolean): Finding {
  let target = dir;
  try {
    const existing = statSync(dir, { throwIfNoEntry: false });
    if (existing && !existing.isDirectory()) {
      return error("PP005", `the runtime directory ${dir} exists but is not a directory`, `move it out of the way (PushPals recreates it): mv ${dir} ${dir}.bak`);
    }
    if (create) ensurePrivateDir(dir);
    if (!existing && !create) {
      target = nearestExisting(dir);
      if (!statSync(target).isDirectory()) throw Object.assign(new Error(`${target} is not a directory`), { code: "ENOTDIR" });
    }
    accessSync(target, constants.W_OK);
    return ok("PP005", existing || create ? `runtime directory ${dir} is writable` : `runtime directory ${dir} can be created`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const fix =
      code === "EACCES" || code === "EPERM"
        ? `fix its permissions: chmod u+w ${target}`
        : code === "EROFS"
          ? "the file system is read-only; remount it writable"
          : code === "ENOTDIR" || code === "EEXIST"
            ? `a file is in the way of the runtime directory ${dir}; move it out of the way`
            : `make ${dir} a writable directory`;
    return error("PP005", `cannot write the runtime directory ${dir}: ${(err as Error).message}`, fix);
  }
}

/** `path` itself or its closest ancestor that exists (file or directory). */
function nearestExisting(path: string): string {
  for (let cur = path; ; cur = dirname(cur)) {
    try {
      statSync(cur);
      return cur;
    } catch {
      if (dirname(cur) === cur) return cur;
    }
  }
}

/** The PP006 threshold: the option, else the operator's `PUSHPALS_MIN_FREE_MB`, else 500 MB. */
function minFreeBytes(options: PreflightOptions, findings: Finding[]): number {
  if (options.minFreeBytes !== undefined) return options.minFreeBytes;
  const text = process.env[MIN_FREE_ENV];
  if (text === undefined || text.trim() === "") return MIN_FREE_BYTES;
  const mb = Number(text);
  if (!Number.isFinite(mb) || mb < 0) {
    findings.push(warn("PP006", `${MIN_FREE_ENV}=${JSON.stringify(text)} is not a number of megabytes; using ${formatBytes(MIN_FREE_BYTES)}`, `unset ${MIN_FREE_ENV} or set it to a number, e.g. ${MIN_FREE_ENV}=500`));
    return MIN_FREE_BYTES;
  }
  return mb * 1024 * 1024;
}

function checkDisk(dir: string, minFree: number): Finding {
  const where = nearestExisting(dir);
  try {
    const stats = statfsSync(where);
    const free = stats.bavail * stats.bsize;
    if (free < minFree) {
      return error("PP006", `only ${formatBytes(free)} free where the runtime lives (${dir}); worktrees need at least ${formatBytes(minFree)}`, `free at least ${formatBytes(minFree - free)} of disk on that file system`);
    }
    return ok("PP006", `${formatBytes(free)} free`);
  } catch {
    return warn("PP006", "could not measure free disk space", `check \`df -h ${where}\` yourself`);
  }
}

function formatBytes(bytes: number): string {
  const mb = bytes / 1024 / 1024;
  return mb >= 10 * 1024 ? `${Math.round(mb / 1024)} GB` : `${Math.ceil(mb)} MB`;
}

/** The pid of this repository's live PushPals server when it is the one holding `port`. */
function runningServerPid(paths: RuntimePaths, port: number): number | null {
  // Only a held lock proves the pid in server.json is still our server.
  if (!ServerLock.isHeld(paths.serverLock)) return null;
  const info = readServerInfo(paths.serverFile);
  return info && info.port === port ? info.pid : null;
}

/** A database written by a newer PushPals is refused by the server; say so before starting anything. */
function checkDatabase(dbPath: string): Finding {
  if (!existsSync(dbPath)) return ok("PP010", "no database yet (it is created on first start)");
  try {
    const db = new Database(dbPath, { readonly: true });
    try {
      db.exec("PRAGMA busy_timeout = 2000");
      const { user_version: version } = db.query("PRAGMA user_version").get() as { user_version: number };
      if (version > LATEST_SCHEMA_VERSION) {
        return error("PP010", `the database ${dbPath} has schema version ${version}; this PushPals knows up to ${LATEST_SCHEMA_VERSION}`, "upgrade PushPals (npm install) to the version that wrote it; do not delete it, it holds the audit log");
      }
      return ok("PP010", `database schema ${version} of ${LATEST_SCHEMA_VERSION}`);
    } finally {
      db.close();
    }
  } catch (err) {
    return error("PP010", `cannot read the database ${dbPath}: ${(err as Error).message}`, "check its permissions; if it is corrupt, move it aside (the audit log lives in it)");
  }
}

export async function checkPort(port: number, ownServerPid: number | null = null): Promise<Finding> {
  if (ownServerPid !== null) return ok("PP007", `port ${port} on 127.0.0.1 is held by this repository's PushPals server (pid ${ownServerPid})`);
  const failure = await new Promise<string | null>((resolve) => {
    const server = createServer();
    server.once("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(null)));
  });
  if (failure === null) return ok("PP007", `port ${port} on 127.0.0.1 is free`);
  const change = "set server.port = 0 (any free port) or another port in .pushpals/config.toml";
  if (failure === "EACCES") return error("PP007", `port ${port} on 127.0.0.1 needs privileges this user does not have`, `${change} (above 1023)`);
  if (failure !== "EADDRINUSE") return error("PP007", `cannot listen on port ${port} on 127.0.0.1 (${failure})`, change);
  return error("PP007", `port ${port} on 127.0.0.1 is already in use`, `${change}, or stop what uses it (see \`ss -ltnp 'sport = :${port}'\`)`);
}

/** The Conflict Resolver's structured merge driver: optional, so found or not it is no problem. */
function checkStructuredDriver(): Finding {
  const found = findStructuredDriver();
  if (found) return ok("PP018", `structured merge driver: ${STRUCTURED_DRIVER} at ${found} (conflicts git's line merge leaves are merged again by syntax, sandboxed)`);
  return ok("PP018", `structured merge driver: ${STRUCTURED_DRIVER} is not installed (optional: with it on PATH, more conflicts resolve without a person)`);
}

/** With the sandbox off, where job checkouts go and whether their parents are clean (a check sees only its commit). */
function checkUnsandboxedCheckouts(paths: RuntimePaths): Finding {
  const dir = checkoutPathsFor(paths, "off").worktreesDir;
  const problem = unsandboxedCheckoutsProblem(dir);
  if (!problem) return ok("PP017", `job checkouts (sandbox off) go to ${dir}, with nothing tools look up above it`);
  return warn("PP017", `jobs that check out code will fail: ${problem}`, "move it away, set XDG_CACHE_HOME to a folder only you can write with nothing of the kind above it, or turn the sandbox on");
}

/** PP009: bwrap must actually start a sandbox here (a tiny probe), unless the sandbox is off (PP011). */
async function checkSandbox(settings: SandboxSettings): Promise<Finding> {
  if (settings.mode === "off") {
    return warn(
      "PP011",
      'SANDBOX OFF: sandbox.mode is "off", so job commands (checks, installs, codemods) run unconfined with this user\'s files, network and credentials',
      'install bubblewrap (apt-get install bubblewrap) and remove sandbox.mode = "off" from the config (or unset PUSHPALS_SANDBOX_MODE)',
    );
  }
  const probe = await probeSandbox(settings);
  if (!probe.ok) return error("PP009", probe.problem, probe.fix);
  const { enforced } = probe;
  const limits = [
    `memory: ${enforced.memory === "cgroup" ? "cgroup per command" : "resident memory watched per command"}`,
    `processes: ${{ cgroup: "pids cgroup", rlimit: "RLIMIT_NPROC", none: "not limited" }[enforced.processes]}`,
    `/tmp and /dev/shm: ${enforced.tmpfsSized ? "sized" : "not sized"}`,
    `ptrace: ${enforced.ptraceFilter ? "blocked" : "not blocked"}`,
  ].join("; ");
  const fixes = [
    ...(enforced.processes === "none" ? ["root is exempt from RLIMIT_NPROC: run PushPals as a non-root user, or give it a writable pids cgroup (cgroup v1 pids hierarchy, or v2 with the pids controller)"] : []),
    ...(enforced.tmpfsSized ? [] : [`bubblewrap ${probe.version} cannot size a tmpfs: upgrade it to a version with --size`]),
    ...(enforced.ptraceFilter ? [] : [`no seccomp program for ${process.arch}: run the worker on x86_64 or aarch64`]),
  ];
  const message = `bubblewrap ${probe.version} sandbox works (${limits})`;
  return fixes.length ? warn("PP009", message, fixes.join("; ")) : ok("PP009", message);
}
