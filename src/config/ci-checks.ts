import type { CiStep } from "./ci/ci-source.ts";
import { parseShellCalls, type ParsedCommand, type ShellCall } from "./ci/script-calls.ts";
import { BROWSER_TOOL, type PackageScripts } from "./package-scripts.ts";

/** One line of init's comparison: what CI runs beside what was configured for it, and why they differ. */
export interface CiRow {
  /** The CI file and job; empty for a configured check CI does not run. */
  where: string;
  /** One command CI runs; empty for a configured check CI does not run. */
  ci: string;
  /** The check it is configured as, or null. */
  check: string | null;
  /** Why it differs; empty when CI's command is configured as CI runs it. */
  why: string;
  /** CI's setup makes it unrunnable here whatever it runs (secrets, services, matrix, OS, subfolder). */
  blocked: boolean;
}

/** A proposed check and where it came from (shown when CI does not run it). */
export interface ProposedCheck {
  name: string;
  run: string;
  /** The package script it runs, if it is one. */
  script: string | null;
  from: string;
}

/** The repository's root package: its scripts and the package manager it installs with. */
export interface PackageContext {
  scripts: PackageScripts;
  runner: string;
  runScript(script: string): string;
}

export interface CiChecks {
  checks: ProposedCheck[];
  rows: CiRow[];
}

type Verdict = { check: ProposedCheck; why: string } | { why: string };

const INSTALL_WHY = "installs dependencies; PushPals installs from the lockfile itself before the checks";
export const WHOLE_STEP = "(every command)";
const NOT_A_SCRIPT = "not a package script: init takes only package scripts from CI; add it by hand if it is a check";

/**
 * The package scripts CI calls, in the order CI runs them, as checks; and one row per CI command
 * saying how it was configured or why not. A script CI calls again, or that another configured
 * script already runs, is configured once.
 */
export function checksFromCi(steps: CiStep[], pkg: PackageContext | null): CiChecks {
  const rows: CiRow[] = [];
  const found: { check: ProposedCheck; row: CiRow }[] = [];
  for (const step of steps) {
    const commands = parseShellCalls(step.run);
    const blocked = step.blocked !== undefined;
    if (commands.length === 0) rows.push({ where: step.where, ci: WHOLE_STEP, check: null, why: step.blocked ?? "runs nothing", blocked });
    for (const command of commands) {
      const verdict = step.blocked ? { why: step.blocked } : classify(command, pkg);
      const row: CiRow = { where: step.where, ci: command.text, check: null, why: verdict.why, blocked };
      rows.push(row);
      if ("check" in verdict) found.push({ check: verdict.check, row });
    }
  }
  return { checks: configureOnce(found, pkg?.scripts ?? null), rows };
}

function classify(command: ParsedCommand, pkg: PackageContext | null): Verdict {
  if (command.text.includes("${{")) return { why: "uses a CI expression (${{ … }}) that only CI resolves" };
  const script = command.calls.find((c): c is Extract<ShellCall, { kind: "script" }> => c.kind === "script");
  const program = command.program ?? "";
  if (script && /^(npm-run-all|run-s|run-p)$/.test(program)) return { why: `runs ${program} directly; call it through a package script to configure it` };
  if (script) return scriptVerdict(command, script, pkg);
  const call = command.calls[0];
  if (call?.kind === "install") return { why: INSTALL_WHY };
  if (call?.kind === "bun-test") return command.dir ? inSubfolder(command.dir) : { check: { name: "bun test", run: command.text, script: null, from: "CI" }, why: "" };
  const browser = BROWSER_TOOL.exec(command.text);
  if (browser) return { why: `needs a browser (${browser[1]!.toLowerCase()})` };
  if (call?.kind === "exec") return { why: `runs ${call.tool || "a tool"} without a package script; add a script for it to configure it from CI` };
  return { why: NOT_A_SCRIPT };
}

function scriptVerdict(command: ParsedCommand, call: Extract<ShellCall, { kind: "script" }>, pkg: PackageContext | null): Verdict {
  if (command.dir) return inSubfolder(command.dir);
  if (!pkg) return { why: "calls a package script, but there is no package.json at the repository root" };
  const proposed = (run: string): ProposedCheck => ({ name: call.script, run, script: call.workspaces ? null : call.script, from: "CI" });
  if (call.workspaces) {
    if (call.runner === pkg.runner) return { check: proposed(command.text), why: "" };
    return { why: `uses ${call.runner}'s workspace flags, but this repository installs with ${pkg.runner}` };
  }
  if (!pkg.scripts.has(call.script)) return { why: `package.json has no "${call.script}" script` };
  const notACheck = pkg.scripts.notACheck(call.script);
  if (notACheck) return { why: `the "${call.script}" script ${notACheck}` };
  if (call.runner === pkg.runner) return { check: proposed(command.text), why: "" };
  return { check: proposed(pkg.runScript(call.script)), why: `CI runs it with ${call.runner}; configured with ${pkg.runner}, which this repository installs with` };
}

function inSubfolder(dir: string): Verdict {
  return { why: `runs in ${dir}; checks run from the repository root (add \`cd ${dir} && …\` by hand)` };
}

/** Each command once, each script once, and no script that another configured one already runs. */
function configureOnce(found: { check: ProposedCheck; row: CiRow }[], scripts: PackageScripts | null): ProposedCheck[] {
  const kept: ProposedCheck[] = [];
  for (const { check, row } of found) {
    const same = kept.find((k) => k.run === check.run || (check.script !== null && k.script === check.script));
    const runner = scripts && check.script ? found.find((f) => f.check.script && f.check.script !== check.script && scripts.reachable(f.check.script).has(check.script!)) : undefined;
    if (same) {
      row.check = same.name;
      row.why = same.run === check.run ? "CI runs it more than once; configured once" : `"${same.name}" is already configured as \`${same.run}\``;
    } else if (runner && !scripts!.reachable(check.script!).has(runner.check.script!)) {
      row.why = `already run by "${runner.check.script}"`;
    } else {
      const name = uniqueName(check.name, kept);
      kept.push({ ...check, name });
      row.check = name;
    }
  }
  return kept;
}

function uniqueName(name: string, kept: ProposedCheck[]): string {
  const base = name.slice(0, 60);
  let candidate = base;
  for (let n = 2; kept.some((k) => k.name === candidate); n++) candidate = `${base} ${n}`;
  return candidate;
}

/**
 * Rows for a comparison whose checks came from elsewhere (scripts, the toolchain): a CI command that
 * is exactly a proposed check is that check; each proposed check CI does not run gets its own row.
 */
export function compareWithCi(rows: CiRow[], checks: ProposedCheck[]): CiRow[] {
  const out = rows.map((row) => ({ ...row, check: null as string | null }));
  for (const check of checks) {
    const matches = out.filter((row) => row.ci === check.run && !row.blocked);
    for (const row of matches) {
      row.check = check.name;
      row.why = "";
    }
    if (matches.length === 0) out.push({ where: "", ci: "", check: check.name, why: `not run by CI; ${check.from}`, blocked: false });
  }
  return out;
}
