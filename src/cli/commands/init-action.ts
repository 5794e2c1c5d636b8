import type { Command } from "commander";
import { realpathSync } from "node:fs";
import { relative } from "node:path";
import type { CiRow } from "../../config/ci-checks.ts";
import { CI_SOURCES } from "../../config/ci/registry.ts";
import { describeItem, type InitDetection } from "../../config/init-plan.ts";
import { runInit, type InitResult } from "../../config/init-run.ts";
import { cliContext } from "../context.ts";
import { printJson, table } from "../format.ts";
import { visible } from "../../core/safe-text.ts";

export async function runInitCommand(program: Command, opts: { yes?: boolean; json?: boolean }): Promise<void> {
  const ctx = await cliContext(program.opts());
  const result = await runInit({ repoRoot: ctx.paths.repoRoot, yes: opts.yes === true });
  if (opts.json) return printJson(result);
  // Unstyled lines that quote the repository (script names, notes, paths): each is made visible whole.
  process.stdout.write(`${humanReport(result).map(visible).join("\n")}\n`);
}

function humanReport(result: InitResult): string[] {
  const shown = displayPath(result.configPath);
  const lines = [...detectionLines(result.detected), ...result.detected.notes.map((n) => `note: ${n}`)];
  if (result.policyCreated) lines.push(`wrote ${displayPath(result.policyPath)} (risk tiers and merge gates, see docs/policy.md; commit it with the config)`);
  if (result.created) return [...lines, `wrote ${shown}`, `next: review and commit ${shown}, then run \`pushpals start\``];
  if (result.added.length > 0) {
    return [...lines, ...result.added.map((i) => `added ${describeItem(i)}`), `appended to ${shown}; existing lines are unchanged`, `next: review and commit ${shown}, then run \`pushpals start\``];
  }
  if (result.wouldAdd.length === 0) return [...lines, `${shown} exists and has everything detected: nothing to add`, "next: pushpals start"];
  return [
    ...lines,
    `${shown} exists: left unchanged`,
    ...result.wouldAdd.map((i) => `would add ${describeItem(i)}`),
    "next: `pushpals init --yes` appends them at the end of the file (nothing else changes), or add them by hand",
  ];
}

function detectionLines(d: InitDetection): string[] {
  const pm = d.packageManager ? `${d.packageManager} (${d.packageManagerSource})` : "none (no package.json)";
  const checks = d.checks.length > 0 ? d.checks.map((c) => c.name).join(", ") : "none detected";
  return [`package manager: ${pm}`, `checks: ${checks}`, `base branch: ${d.baseBranch} (${d.baseBranchSource})`, `workers: ${d.workers}`, ...ciLines(d)];
}

const MAX_COMMAND = 60;

/** What CI runs beside what init configured, one line per command, with why they differ. */
function ciLines(d: InitDetection): string[] {
  if (d.ciFiles.length === 0) return [`CI: none found (looked for ${CI_SOURCES.map((s) => s.label).join(", ")})`];
  if (d.ci.length === 0) return [`CI: ${d.ciFiles.join(", ")} runs no shell commands`];
  const rows = [["WHERE", "CI RUNS", "CONFIGURED", "WHY"], ...d.ci.map(ciCells)];
  return [`CI: ${d.ciFiles.join(", ")}, beside the configured checks:`, ...table(rows).split("\n").map((line) => `  ${line.trimEnd()}`)];
}

function ciCells(row: CiRow): string[] {
  const command = row.ci.length > MAX_COMMAND ? `${row.ci.slice(0, MAX_COMMAND - 1)}…` : row.ci;
  return [row.where || "(not in CI)", command || "-", row.check ?? "-", row.why];
}

/** The config path as seen from where the user is: `.pushpals/config.toml` at the root, `../.pushpals/...` below it. */
function displayPath(path: string): string {
  let cwd = process.cwd();
  try {
    cwd = realpathSync(cwd);
  } catch {}
  const rel = relative(cwd, path);
  return rel.startsWith("../../..") ? path : rel;
}
