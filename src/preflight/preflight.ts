import { accessSync, constants, mkdirSync, statfsSync } from "node:fs";
import { createServer } from "node:net";
import { loadEffectiveConfig } from "../config/load.ts";
import { isPushpalsError } from "../errors/pushpals-error.ts";
import type { RuntimePaths } from "../runtime/paths.ts";
import { git } from "../scm/git.ts";
import { error, ok, warn, type Finding } from "./finding.ts";
import { recoverStaleRuntime } from "./recover.ts";

export const MIN_GIT = [2, 25] as const;
const MIN_FREE_BYTES = 500 * 1024 * 1024;

export interface PreflightOptions {
  /** Fix what can be fixed safely (stale pid/port files of a crashed run). */
  recover: boolean;
}

/**
 * Everything `start` needs from the machine and the repository, checked up front so a failure is a
 * clear message with a fix instead of a crash later. Never prompts.
 */
export async function preflight(paths: RuntimePaths, options: PreflightOptions): Promise<Finding[]> {
  const findings: Finding[] = [];
  findings.push(await checkGit(paths.repoRoot));
  findings.push(await checkCommits(paths.repoRoot));
  const config = checkConfig(paths, findings);
  findings.push(checkRuntimeDir(paths.runtimeDir));
  findings.push(checkDisk(paths.runtimeDir));
  if (config?.server.port) findings.push(await checkPort(config.server.port));
  findings.push(...(await recoverStaleRuntime(paths, options.recover)));
  findings.push(checkSandbox());
  return findings;
}

export function hasErrors(findings: Finding[]): boolean {
  return findings.some((f) => f.level === "error");
}

async function checkGit(cwd: string): Promise<Finding> {
  const r = await git(["--version"], { cwd, allowFailure: true }).catch(() => null);
  if (!r || r.exitCode !== 0) return error("PP001", "git is not installed or not on PATH", "install git 2.25 or newer (apt-get install git)");
  const [major = 0, minor = 0] = (/(\d+)\.(\d+)/.exec(r.stdout)?.slice(1) ?? []).map(Number);
  if (major < MIN_GIT[0] || (major === MIN_GIT[0] && minor < MIN_GIT[1])) {
    return error("PP002", `git ${major}.${minor} is too old (worktree locking needs ${MIN_GIT.join(".")}+)`, "upgrade git");
  }
  return ok("PP001", `git ${major}.${minor}`);
}

async function checkCommits(cwd: string): Promise<Finding> {
  const r = await git(["rev-parse", "--verify", "HEAD"], { cwd, allowFailure: true });
  if (r.exitCode !== 0) return error("PP003", "the repository has no commits yet: jobs run on exact commits", 'commit something first: git add -A && git commit -m "initial"');
  return ok("PP003", `HEAD is ${r.stdout.trim().slice(0, 12)}`);
}

function checkConfig(paths: RuntimePaths, findings: Finding[]) {
  try {
    const { config } = loadEffectiveConfig({ repoRoot: paths.repoRoot, runtimeDir: paths.runtimeDir, env: process.env });
    findings.push(config.checks.commands.length ? ok("PP004", `config valid; checks: ${config.checks.commands.map((c) => c.name).join(", ")}`) : warn("PP004", "config valid but no check commands are configured", "run `pushpals init` or add [[checks.commands]] to .pushpals/config.toml"));
    return config;
  } catch (err) {
    if (!isPushpalsError(err)) throw err;
    findings.push(error("PP004", err.message, err.hint ?? "fix .pushpals/config.toml"));
    return null;
  }
}

function checkRuntimeDir(dir: string): Finding {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return ok("PP005", `runtime directory ${dir} is writable`);
  } catch (err) {
    return error("PP005", `cannot write the runtime directory ${dir}: ${(err as Error).message}`, `fix its permissions: chmod u+w ${dir}`);
  }
}

function checkDisk(dir: string): Finding {
  try {
    const stats = statfsSync(dir);
    const free = stats.bavail * stats.bsize;
    if (free < MIN_FREE_BYTES) {
      return error("PP006", `only ${Math.round(free / 1024 / 1024)} MB free where the runtime lives (${dir}); worktrees need room`, "free at least 500 MB of disk");
    }
    return ok("PP006", `${Math.round(free / 1024 / 1024 / 1024)} GB free`);
  } catch {
    return warn("PP006", "could not measure free disk space", "check `df -h` yourself");
  }
}

export async function checkPort(port: number): Promise<Finding> {
  const free = await new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
  if (free) return ok("PP007", `port ${port} on 127.0.0.1 is free`);
  return error("PP007", `port ${port} on 127.0.0.1 is already in use`, "set server.port = 0 (any free port) or another port in .pushpals/config.toml, or stop what uses it");
}

function checkSandbox(): Finding {
  if (Bun.which("bwrap")) return ok("PP009", "bubblewrap (bwrap) found");
  return warn("PP009", "bubblewrap (bwrap) is not installed; commands run without a sandbox for now", "install it: apt-get install bubblewrap (it becomes mandatory with sandboxing)");
}
