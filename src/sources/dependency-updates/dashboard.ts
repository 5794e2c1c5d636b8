import { z } from "zod";
import { RiskTier } from "../../core/risk-tier.ts";
import type { PlanEntry } from "../../planning/plan.ts";
import type { WorkItem } from "../../planning/work-item.ts";
import type { Job } from "../../store/jobs/job-rows.ts";
import { DEPENDENCY_UPDATE_TYPE, DepsScan, PassedOver, Unfixed, type UpdateGroupRecord } from "./deps-scan-result.ts";

const GroupRow = z.object({
  item: z.string(),
  title: z.string(),
  tier: RiskTier.nullable(),
  updates: z.array(z.object({ name: z.string(), manifestPath: z.string(), from: z.string(), to: z.string(), kind: z.string() })),
  security: z.number().int(),
  /** Pending: what holds it (the open-PR limit, the schedule, a cap, a person); open: its PR; blocked: the question; turned down: by whom. */
  why: z.array(z.string()),
  pr: z.number().int().nullable(),
});

/** A newest scan in these states has not failed: it succeeded, or it is still queued or running. */
const NOT_FAILED_STATES: readonly Job["state"][] = ["succeeded", "queued", "running"];

/** `pushpals deps`: the Dependency Steward's dashboard, each entry with its reason. */
export const DependencyDashboard = z.object({
  scan: DepsScan.omit({ detected: true, passedOver: true, unfixed: true, groups: true }).extend({ job: z.string() }).nullable(),
  /** The newest scan when it did not succeed (the one before it is what is shown). */
  lastScanFailed: z.object({ job: z.string(), state: z.string(), class: z.string().nullable(), message: z.string() }).nullable(),
  detected: DepsScan.shape.detected,
  pending: z.array(GroupRow),
  open: z.array(GroupRow),
  blocked: z.array(GroupRow),
  turnedDown: z.array(GroupRow),
  ignored: z.array(PassedOver),
  unfixed: z.array(Unfixed),
});
export type DependencyDashboard = z.infer<typeof DependencyDashboard>;

/**
 * The dashboard from the newest successful scan, the newest scan job, the steward's items and the
 * plan's holds. Pure: an item is pending (open), open (its task runs or its PR waits), blocked (on a
 * person's answer), or turned down (a person closed its PR or dropped it: not proposed again until a
 * newer version appears).
 */
export function dependencyDashboard(scanJob: Job | null, newest: Job | null, items: readonly WorkItem[], plan: readonly PlanEntry[], isClosedPr: (n: number) => boolean): DependencyDashboard {
  const parsed = scanJob ? DepsScan.safeParse(scanJob.result) : null;
  const scan = parsed?.success ? parsed.data : null;
  const holds = new Map(plan.map((e) => [e.item.id, e.holds]));
  const rows = { pending: [], open: [], blocked: [], turnedDown: [] } as Record<"pending" | "open" | "blocked" | "turnedDown", z.infer<typeof GroupRow>[]>;
  for (const item of items) {
    if (item.type !== DEPENDENCY_UPDATE_TYPE) continue;
    const pr = typeof item.detail.pr === "number" ? item.detail.pr : null;
    const row = (why: string[]) => groupRow(item, why, pr);
    if (item.state === "open") rows.pending.push(row(holds.get(item.id) ?? []));
    else if (item.state === "dispatched") rows.open.push(row([pr !== null ? `PR #${pr} waits on review, approval or merge` : "its update is running"]));
    else if (item.state === "dropped") rows.turnedDown.push(row(["dropped by a person: proposed again only for a newer version"]));
    else if (item.state === "blocked" && pr !== null && isClosedPr(pr)) rows.turnedDown.push(row([`PR #${pr} closed without merging: proposed again only for a newer version`]));
    else if (item.state === "blocked") rows.blocked.push(row([item.question ?? "waiting on a person"]));
  }
  const failed = newest && newest.id !== scanJob?.id && !NOT_FAILED_STATES.includes(newest.state) ? { job: newest.id, state: newest.state, class: newest.failure?.class ?? null, message: newest.failure?.message ?? newest.state } : null;
  return {
    scan: scan && scanJob ? { ...withoutLists(scan), job: scanJob.id } : null,
    lastScanFailed: failed,
    detected: scan?.detected ?? [],
    ...rows,
    ignored: scan?.passedOver ?? [],
    unfixed: scan?.unfixed ?? [],
  };
}

function withoutLists(scan: DepsScan) {
  const { detected: _d, passedOver: _p, unfixed: _u, groups: _g, ...rest } = scan;
  return rest;
}

function groupRow(item: WorkItem, why: string[], pr: number | null): z.infer<typeof GroupRow> {
  const group = item.detail.group as UpdateGroupRecord | undefined;
  const updates = (group?.updates ?? []).map((u) => ({ name: u.name, manifestPath: u.manifestPath, from: u.from, to: u.to, kind: u.kind }));
  return { item: item.id, title: item.title, tier: item.risk, updates, security: group?.security.length ?? 0, why, pr };
}
