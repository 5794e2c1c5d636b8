import type { WorkItem } from "../../planning/work-item.ts";

/** The CI Medic's steps for one item, in the order the evidence leads through them. */
export type MedicStep = "triage" | "lockfile" | "fix" | "bisect" | "revert" | "quarantine" | "unquarantine" | "model_fix";

/**
 * What the item's detail says the next step is: set by the step before (`TaskSuccess.next`), else where
 * an item starts. A fix that failed (no fixer, or one that changed nothing) falls back to the bisection
 * when a green commit is known; else it is tried once more and then asks (the same failure twice).
 */
export function stepOf(item: WorkItem): MedicStep {
  const medic = item.detail.medic as { step?: MedicStep; good?: unknown } | undefined;
  const lastKind = (item.detail.task as { kind?: string } | undefined)?.kind;
  // Once the fix failed and the bisection took over, it stays with the bisection (never back to the fix).
  const fellBack = (item.detail.lastFailure && lastKind === "ci-fix") || lastKind === "bisect";
  if (medic?.step === "fix" && fellBack && typeof medic.good === "string") return "bisect";
  if (medic?.step) return medic.step;
  if (item.type === "quarantined_test_passing") return "unquarantine";
  return item.detail.cause === "lockfile_out_of_sync" ? "lockfile" : "triage";
}

export function medicDetail<T extends Record<string, unknown>>(item: WorkItem): T {
  return (item.detail.medic ?? {}) as T;
}

const LINT_LIKE = /(^|[^a-z])(lint|eslint|format|fmt|prettier|biome|stylelint|style|standard|xo)([^a-z]|$)/i;

/** A check whose failure a fixer may repair: named or run like a linter or formatter. */
export function isLintLike(check: string, command: string): boolean {
  return LINT_LIKE.test(check) || LINT_LIKE.test(command);
}
