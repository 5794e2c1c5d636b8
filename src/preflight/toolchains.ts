import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import type { CheckCommand } from "../config/check-settings.ts";
import { checkProgram, missingProgramFix } from "../config/check-program.ts";
import { parseShellCalls } from "../config/ci/script-calls.ts";
import { BROWSER_TOOL, PackageScripts } from "../config/package-scripts.ts";
import { ok, warn, type Finding } from "./finding.ts";

export const TOOLCHAIN_CODE = "PP012";

export interface ToolchainOptions {
  repoRoot: string;
  /** Where programs are looked up: the PATH the worker, and so the sandbox, gets. */
  path: string;
  /** With the sandbox on, a command's HOME is empty: browsers under ~/.cache are out of its sight. */
  sandboxed: boolean;
  /** Programs PushPals provides to the jobs itself (the repository's package manager, provisioned). */
  provided?: string[];
}

/**
 * PP012: every configured check's program must be installed here, or every job fails on it. A missing
 * one is a warning naming the checks and the fix; so is a check that drives a browser in the sandbox.
 * Nothing for a config without checks (PP004 says so).
 */
export function checkToolchains(commands: CheckCommand[], options: ToolchainOptions): Finding[] {
  if (commands.length === 0) return [];
  const missing = new Map<string, string[]>();
  const found = new Set<string>();
  for (const command of commands) {
    const program = checkProgram(command.run);
    if (!program) continue;
    if (options.provided?.includes(program) || installed(program, options)) found.add(program);
    else missing.set(program, [...(missing.get(program) ?? []), command.name]);
  }
  const findings = [...missing].map(([program, names]) => missingFinding(program, names, options.repoRoot));
  if (options.sandboxed) findings.push(...browserFindings(commands, options.repoRoot));
  if (findings.length > 0) return findings;
  return [ok(TOOLCHAIN_CODE, found.size > 0 ? `the checks' programs are installed: ${[...found].join(", ")}` : "the checks use shell builtins only")];
}

function installed(program: string, options: ToolchainOptions): boolean {
  if (!program.includes("/")) return Bun.which(program, { PATH: options.path }) !== null;
  const path = isAbsolute(program) ? program : join(options.repoRoot, program);
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function missingFinding(program: string, names: string[], repoRoot: string): Finding {
  const checks = `check${names.length === 1 ? "" : "s"} ${names.map((n) => `"${n}"`).join(", ")}`;
  if (program.includes("/")) {
    const there = existsSync(isAbsolute(program) ? program : join(repoRoot, program));
    const problem = there ? "is not executable" : "does not exist";
    const fix = there ? `make it executable and commit that (chmod +x ${program}; git update-index --chmod=+x ${program}), or run it with sh` : missingProgramFix(program, names);
    return warn(TOOLCHAIN_CODE, `${program} ${problem}, so the ${checks} cannot run here`, fix);
  }
  return warn(TOOLCHAIN_CODE, `${program} is not installed (not on PATH), so the ${checks} cannot run here`, missingProgramFix(program, names));
}

/** A check that runs playwright, cypress, puppeteer..., directly or through the package scripts it calls. */
function browserFindings(commands: CheckCommand[], repoRoot: string): Finding[] {
  const scripts = rootScripts(repoRoot);
  const findings: Finding[] = [];
  for (const command of commands) {
    const tool = browserTool(command.run, scripts);
    if (!tool) continue;
    findings.push(
      warn(
        TOOLCHAIN_CODE,
        `the check "${command.name}" drives a browser (${tool}); in the sandbox HOME is empty, so browsers installed under ~/.cache are not found`,
        `install the browser outside your home directory and name it in the check's command (e.g. PLAYWRIGHT_BROWSERS_PATH=/opt/ms-playwright), or remove the check "${command.name}" from .pushpals/config.toml`,
      ),
    );
  }
  return findings;
}

function browserTool(run: string, scripts: PackageScripts): string | null {
  const direct = BROWSER_TOOL.exec(run);
  if (direct) return direct[1]!.toLowerCase();
  for (const command of parseShellCalls(run)) {
    for (const call of command.calls) {
      if (call.kind !== "script" || command.dir !== null) continue;
      for (const script of [call.script, ...scripts.reachable(call.script)]) {
        const match = BROWSER_TOOL.exec(scripts.body(script));
        if (match) return match[1]!.toLowerCase();
      }
    }
  }
  return null;
}

function rootScripts(repoRoot: string): PackageScripts {
  try {
    return PackageScripts.from((JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { scripts?: unknown }).scripts);
  } catch {
    return PackageScripts.from({});
  }
}
