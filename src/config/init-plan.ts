import type { CheckCommand } from "./check-settings.ts";
import { detectBaseBranch } from "./detect-branch.ts";
import { detectProject, type Detected } from "./detect.ts";
import { DEFAULT_CONFIG, type ConfigLayer, type PushpalsConfig } from "./schema.ts";

/** The sections `pushpals init` writes, in file order. */
export const PROPOSED_SECTIONS = ["repo", "workers", "jobs", "checks", "install"] as const;
export type ProposedSection = (typeof PROPOSED_SECTIONS)[number];

export const DEFAULT_WORKER_COUNT = 2;

/** Exactly what `init` writes into a new `.pushpals/config.toml`. */
export interface ProposedConfig {
  repo: { base_branch: string };
  workers: { count: number };
  jobs: { lease_seconds: number; max_attempts: number };
  checks: { timeout_seconds: number; commands: CheckCommand[] };
  install: { package_manager: PushpalsConfig["install"]["package_manager"]; allow_scripts: boolean };
}

/** Everything init found out about the repository (the `detected` field of `init --json`). */
export interface InitDetection extends Detected {
  baseBranch: string;
  baseBranchSource: string;
  workers: number;
}

/** Something an existing config file lacks that init would append (with `--yes`). */
export type AddItem = { kind: "section"; name: ProposedSection } | { kind: "check"; name: string; run: string; report?: string };

export async function detectForInit(repoRoot: string): Promise<InitDetection> {
  const project = detectProject(repoRoot);
  const base = await detectBaseBranch(repoRoot);
  return { ...project, baseBranch: base.branch, baseBranchSource: base.source, workers: DEFAULT_WORKER_COUNT };
}

export function proposeConfig(detected: InitDetection): ProposedConfig {
  return {
    repo: { base_branch: detected.baseBranch },
    workers: { count: detected.workers },
    jobs: { lease_seconds: DEFAULT_CONFIG.jobs.lease_seconds, max_attempts: DEFAULT_CONFIG.jobs.max_attempts },
    checks: { timeout_seconds: DEFAULT_CONFIG.checks.timeout_seconds, commands: detected.checks.map(({ name, run, report }) => ({ name, run, ...(report ? { report } : {}) })) },
    install: { package_manager: detected.packageManager ?? "none", allow_scripts: DEFAULT_CONFIG.install.allow_scripts },
  };
}

/** The full config a file holding exactly `proposed` means (defaults for every key it does not set). */
export function configFromProposal(proposed: ProposedConfig): PushpalsConfig {
  const config = structuredClone(DEFAULT_CONFIG);
  for (const section of PROPOSED_SECTIONS) Object.assign(config[section], structuredClone(proposed[section]));
  return config;
}

/**
 * What the existing file (already parsed and validated) lacks: whole sections it never mentions, and
 * detected check commands it has under neither the same name nor the same command line. Values the
 * user changed are theirs: a differing value is never something to add.
 */
export function missingItems(existing: ConfigLayer, proposed: ProposedConfig): AddItem[] {
  const items: AddItem[] = [];
  for (const section of PROPOSED_SECTIONS) {
    if (existing[section] === undefined) items.push({ kind: "section", name: section });
  }
  const have = existing.checks?.commands ?? [];
  for (const check of proposed.checks.commands) {
    if (have.some((c) => c.name === check.name || c.run === check.run)) continue;
    items.push({ kind: "check", name: check.name, run: check.run, ...(check.report ? { report: check.report } : {}) });
  }
  return items;
}

export function describeItem(item: AddItem): string {
  return item.kind === "section" ? `section [${item.name}]` : `check "${item.name}" (${item.run})`;
}
