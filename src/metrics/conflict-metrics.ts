import { CONFLICT_STRATEGIES, type ConflictStrategy } from "./definitions.ts";
import type { JobRecord } from "./metrics-history.ts";
import type { MetricsSnapshot } from "./metrics-snapshot.ts";
import { ratio } from "./stats.ts";

export const RESOLVE_CONFLICT_KIND = "resolve-conflict";

/** What the metrics read of a `resolve-conflict` result (resolve-conflict-input.ts): whether it made a head, and each file's strategy. */
interface Resolution {
  madeHead: boolean;
  strategies: string[];
}

function resolutionOf(result: unknown): Resolution {
  const r = result as { pr?: unknown; files?: unknown } | null;
  const files = Array.isArray(r?.files) ? (r.files as { strategy?: unknown }[]) : [];
  return { madeHead: r?.pr !== undefined && r.pr !== null, strategies: files.map((f) => (typeof f?.strategy === "string" ? f.strategy : "")) };
}

function isStrategy(s: string): s is ConflictStrategy {
  return (CONFLICT_STRATEGIES as readonly string[]).includes(s);
}

/**
 * Conflicts resolved automatically, per strategy, and manual interventions (definitions.ts,
 * `conflictsResolved`, `manualInterventions`), over the succeeded `resolve-conflict` jobs created in the
 * window: one that made a new head counts its files by strategy; one with an `unresolved` file is a
 * person's turn (its lockfile or JSON files, resolved but never committed, count for nothing); one that
 * found nothing to resolve is neither. A failed or cancelled one resolved nothing and asked no one.
 */
export function conflictResolutions(records: readonly JobRecord[]): MetricsSnapshot["conflicts"] {
  const byStrategy = Object.fromEntries(CONFLICT_STRATEGIES.map((s) => [s, 0])) as Record<ConflictStrategy, number>;
  let resolved = 0;
  let manualInterventions = 0;
  for (const { job } of records) {
    if (job.kind !== RESOLVE_CONFLICT_KIND || job.state !== "succeeded") continue;
    const r = resolutionOf(job.result);
    if (r.madeHead) {
      resolved++;
      for (const s of r.strategies) if (isStrategy(s)) byStrategy[s]++;
    } else if (r.strategies.includes("unresolved")) {
      manualInterventions++;
    }
  }
  return { resolved, byStrategy, manualInterventions, rate: ratio(resolved, resolved + manualInterventions) };
}
