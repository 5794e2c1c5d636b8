import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { detectEcosystem } from "../ecosystems/detect.ts";
import { PACKAGE_JSON } from "../ecosystems/common/package-json.ts";
import type { EcosystemId, RegisteredEcosystem } from "../ecosystems/registry.ts";
import { checksFromCi, compareWithCi, type CiRow, type PackageContext, type ProposedCheck } from "./ci-checks.ts";
import type { CiReading } from "./ci/ci-source.ts";
import { readCi } from "./ci/registry.ts";
import { detectNonJs, NO_CHECKS_NOTE } from "./detect-non-js.ts";
import { PackageScripts } from "./package-scripts.ts";
import { withTestReport } from "./test-reporter.ts";
import { selectScripts } from "./script-families.ts";
import { listWorkspaces } from "./workspaces.ts";

export interface Detected {
  packageManager: EcosystemId | null;
  /** Why that package manager: the lockfile, the `packageManager` field, or the fallback; null for non-JS repos. */
  packageManagerSource: string | null;
  /** The lockfile the package manager will install from, relative to the repo root; null when missing. */
  lockfile: string | null;
  checks: { name: string; run: string; report?: string }[];
  /** The CI files read (GitHub Actions workflows, .gitlab-ci.yml...), relative to the repo root. */
  ciFiles: string[];
  /** What CI runs beside what was configured, one row per command, and why they differ. */
  ci: CiRow[];
  /** What init noticed and chose not to do, shown to the user. */
  notes: string[];
}

/**
 * Looks at the repository root and proposes a package manager and check commands; reads files only.
 * Checks come from the package scripts the repository's CI calls, else from the usual script names,
 * else from the toolchain (go.mod, Cargo.toml...).
 */
export function detectProject(root: string): Detected {
  const notes: string[] = [];
  const ci = readCi(root);
  notes.push(...ci.notes);
  const pkgPath = join(root, PACKAGE_JSON);
  if (!existsSync(pkgPath)) return nonJsProject(root, ci, notes);

  const pkg = readPackageJson(pkgPath, notes);
  const field = typeof pkg.packageManager === "string" ? pkg.packageManager : "";
  const { ecosystem, named, lockfile, present } = detectEcosystem(root, field);
  const source = named ? `packageManager "${field}" in package.json` : (lockfile ?? `no lockfile found, defaulting to ${ecosystem.id}`);
  notes.push(...lockfileNotes(ecosystem, named, lockfile, present));

  const context: PackageContext = { scripts: PackageScripts.from(pkg.scripts), runner: ecosystem.id, runScript: (s) => ecosystem.runScript(s) };
  const found = packageChecks(ci, context, notes);
  const { rows } = found;
  // A monorepo whose root has no checks: each workspace's own, run in its folder (installed once at the root).
  const checks = found.checks.length > 0 ? found.checks.map((c) => withTestReport(c, context.scripts, ecosystem.id)) : workspaceChecks(root, pkg, ecosystem, notes);
  if (checks.length === 0) notes.push(NO_CHECKS_NOTE);
  return { packageManager: ecosystem.id, packageManagerSource: source, lockfile: lockfile ?? null, checks: plain(checks), ciFiles: ci.files, ci: rows, notes };
}

/** CI's package scripts when it calls any that are checks; otherwise the usual script families. */
function packageChecks(ci: CiReading, context: PackageContext, notes: string[]): { checks: ProposedCheck[]; rows: CiRow[] } {
  const fromCi = checksFromCi(ci.steps, context);
  const families = selectScripts(context.scripts);
  if (fromCi.checks.length > 0) {
    notes.push("checks come from the package scripts CI calls, in CI's order (see the table above)");
    const ran = new Set(fromCi.checks.flatMap((c) => (c.script ? [c.script, ...context.scripts.reachable(c.script)] : [])));
    const unrun = families.checks.filter((s) => !ran.has(s));
    if (unrun.length > 0) notes.push(`package.json also has ${unrun.map((s) => `"${s}"`).join(", ")}, which CI does not run: not configured (add ${unrun.length === 1 ? "it" : "them"} to .pushpals/config.toml to check ${unrun.length === 1 ? "it" : "them"} too)`);
    return fromCi;
  }
  for (const { script, why } of families.skipped) notes.push(`the "${script}" script ${why}`);
  const checks = families.checks.map((script) => ({ name: script, run: context.runScript(script), script, from: `from the "${script}" script` }));
  return { checks, rows: ci.files.length > 0 ? compareWithCi(fromCi.rows, checks) : [] };
}

const MAX_WORKSPACE_CHECKS = 24;

function workspaceChecks(root: string, pkg: Record<string, unknown>, ecosystem: RegisteredEcosystem, notes: string[]): ProposedCheck[] {
  const checks: ProposedCheck[] = [];
  let left = 0;
  for (const ws of listWorkspaces(root, pkg)) {
    for (const script of selectScripts(PackageScripts.from(ws.manifest.scripts)).checks) {
      if (checks.length >= MAX_WORKSPACE_CHECKS) {
        left++;
        continue;
      }
      const name = `${script} (${ws.dir})`.slice(0, 64);
      checks.push({ name, run: `cd ${shellQuote(ws.dir)} && ${ecosystem.runScript(script)}`, script, from: `the "${script}" script of the workspace ${ws.dir}` });
    }
  }
  if (checks.length > 0) notes.push(`the root package.json has no checks: each workspace's own are configured, run in its folder after one install at the root`);
  if (left > 0) notes.push(`${left} more workspace check(s) not configured (at most ${MAX_WORKSPACE_CHECKS}): add a root script that runs them, e.g. with the package manager's workspace flag`);
  return checks;
}

function shellQuote(text: string): string {
  return /^[\w./@-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

function nonJsProject(root: string, ci: CiReading, notes: string[]): Detected {
  const detected = detectNonJs(root);
  notes.push(...detected.notes);
  const rows = ci.files.length > 0 ? compareWithCi(checksFromCi(ci.steps, null).rows, detected.checks) : [];
  return { packageManager: null, packageManagerSource: null, lockfile: null, checks: plain(detected.checks), ciFiles: ci.files, ci: rows, notes };
}

function plain(checks: (ProposedCheck & { report?: string })[]): Detected["checks"] {
  return checks.map(({ name, run, report }) => ({ name, run, ...(report ? { report } : {}) }));
}

function lockfileNotes(ecosystem: RegisteredEcosystem, named: RegisteredEcosystem | undefined, lockfile: string | undefined, present: { file: string; ecosystem: RegisteredEcosystem }[]): string[] {
  const pm = ecosystem.id;
  const notes: string[] = [];
  if (named && !lockfile && present.length > 0) {
    notes.push(`package.json says ${named.id} but the lockfile is ${present.map((l) => l.file).join(", ")}: run \`${named.id} install\` and commit its lockfile, or fix the packageManager field`);
  } else if (!lockfile) {
    notes.push(`no lockfile for ${pm}: run \`${pm} install\` and commit the lockfile so jobs install exactly what you tested`);
  }
  const others = [...new Set(present.map((l) => l.ecosystem.id).filter((id) => id !== pm))];
  if (lockfile && others.length > 0) notes.push(`lockfiles of other package managers (${others.join(", ")}) are present too: delete them so every install uses ${lockfile}`);
  return notes;
}

function readPackageJson(path: string, notes: string[]): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    notes.push("package.json is not valid JSON; no checks detected from it");
    return {};
  }
  if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  notes.push("package.json is not a JSON object; no checks detected from it");
  return {};
}
