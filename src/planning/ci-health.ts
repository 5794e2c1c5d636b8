import { z } from "zod";
import type { WorkItem } from "./work-item.ts";

/** The kinds whose merged PR fixed a failing build (the CI Medic's fixes). */
const FIX_KINDS = new Set(["ci-fix", "revert", "lockfile-sync"]);

/** What the CI Medic found, fixed, quarantined and could not fix in a window: the report's CI health section. */
export const CiHealth = z.object({
  /** Failing builds filed in the window (red checks, timeouts, lockfiles out of sync). */
  found: z.number().int(),
  /** Fixed by a merged PR of the CI Medic (a fixer's, a revert, a lockfile regenerated), by kind. */
  fixed: z.record(z.string(), z.number().int()),
  quarantined: z.number().int(),
  unquarantined: z.number().int(),
  /** Red when filed, green again without a PR (a later pass of the branch resolved it). */
  resolvedByGreen: z.number().int(),
  /** Waiting on a person, or dropped: each with why. */
  couldNotFix: z.array(z.object({ item: z.string(), title: z.string(), why: z.string() })),
});
export type CiHealth = z.infer<typeof CiHealth>;

/** The CI Medic's items updated in [since, until] as the report's section; pure. */
export function ciHealth(items: readonly WorkItem[], since: number, until: number): CiHealth {
  const mine = items.filter((i) => i.source === "failing_build" && i.updatedAt >= since && i.updatedAt <= until);
  const out: CiHealth = { found: 0, fixed: {}, quarantined: 0, unquarantined: 0, resolvedByGreen: 0, couldNotFix: [] };
  for (const item of mine) {
    if (item.type === "red_check" && item.createdAt >= since) out.found++;
    const kind = (item.detail.task as { kind?: string } | undefined)?.kind;
    if (item.state === "done") {
      const shippedPr = typeof item.detail.pr === "number";
      if (kind === "quarantine" && shippedPr) item.type === "quarantined_test_passing" ? out.unquarantined++ : out.quarantined++;
      else if (kind && FIX_KINDS.has(kind) && shippedPr) out.fixed[kind] = (out.fixed[kind] ?? 0) + 1;
      else if (typeof item.detail.greenCommit === "string") out.resolvedByGreen++;
      continue;
    }
    if (item.state === "blocked" || item.state === "dropped") {
      out.couldNotFix.push({ item: item.id, title: item.title, why: (item.question ?? item.notes ?? item.state).slice(0, 500) });
    }
  }
  return out;
}
