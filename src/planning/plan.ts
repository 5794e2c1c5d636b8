import { z } from "zod";
import { RiskTier } from "../core/risk-tier.ts";
import { takes, type Specialist } from "./specialist.ts";
import { capHolds, overallHolds, type DispatchLimits } from "./caps.ts";
import type { SelectionVerdict } from "./selection-risk.ts";
import { Escalation, sourcePrecedence, WORK_SOURCES, WorkItem } from "./work-item.ts";

export const PlanEntry = z.object({
  rank: z.number().int(),
  item: WorkItem,
  /** The specialist that would take it, or null when none is registered for its type. */
  specialist: z.string().nullable(),
  risk: RiskTier.nullable(),
  /** Why it sits where it does: source precedence, priority, age. */
  why: z.string(),
  /** What keeps it from being dispatched now; empty when it would go next. */
  holds: z.array(z.string()),
  /** When its classification at selection would stop it on dispatch: the case and the question it would ask. */
  asks: z.object({ escalation: Escalation, question: z.string() }).nullable().default(null),
});
export type PlanEntry = z.infer<typeof PlanEntry>;

/** A blocked item's one question, with which escalation case it is. */
export const OpenQuestion = z.object({ item: z.string(), question: z.string(), escalation: Escalation.nullable() });
export type OpenQuestion = z.infer<typeof OpenQuestion>;

export const Plan = z.object({
  at: z.number().int(),
  paused: z.boolean(),
  entries: z.array(PlanEntry),
  /** Items waiting on a person's answer (`pushpals answer <item> "..."`). */
  questions: z.array(OpenQuestion),
});
export type Plan = z.infer<typeof Plan>;

export interface PlanContext {
  now: number;
  pause: { by: string; reason: string } | null;
  /** The registered specialists' declarations (`src/specialists/registry.ts`) that can take work now. */
  specialists: readonly Specialist[];
  /** Those registered that cannot now (a model specialist with no model configured), and why: a hold names them. */
  unavailable?: readonly { spec: Specialist; why: string }[];
  /** `[remote_agent]`: default, every dispatch allowed within the specialists' own limits. */
  limits?: DispatchLimits;
  /** Classification at selection, as dispatch would do it (`classifyAtSelection` under the base's policy), for the tier an open item would get. */
  select?: (item: WorkItem, specialist: Specialist) => SelectionVerdict | null;
  /** A specialist's own reason not to take an open item now (`SpecialistPlugin.hold`), or null. */
  hold?: (item: WorkItem, now: number) => string | null;
}

/**
 * The ranked candidates, deterministic and explainable: source precedence (the vision's order), then
 * priority (higher first), then age (older first), then id. Changes nothing.
 */
export function planWork(items: readonly WorkItem[], context: PlanContext): Plan {
  const candidates = items.filter((i) => i.state === "open" || i.state === "blocked" || i.state === "dispatched");
  const sorted = [...candidates].sort(
    (a, b) => sourcePrecedence(a.source) - sourcePrecedence(b.source) || b.priority - a.priority || a.createdAt - b.createdAt || a.id.localeCompare(b.id),
  );
  const entries = sorted.map((item, index): PlanEntry => {
    const specialist = context.specialists.find((s) => takes(s, item)) ?? null;
    const verdict = specialist && item.state === "open" ? (context.select?.(item, specialist) ?? null) : null;
    const holds = holdsOf(item, specialist, { ...context, items });
    return { rank: index + 1, item, specialist: specialist?.id ?? null, risk: verdict?.tier ?? selectedTier(item), why: whyHere(item, context.now), holds, asks: verdict?.escalate ?? null };
  });
  const questions = openQuestions(sorted);
  return { at: context.now, paused: context.pause !== null, entries, questions };
}

function whyHere(item: WorkItem, now: number): string {
  const precedence = `${item.source.replace("_", " ")} (source ${sourcePrecedence(item.source) + 1} of ${WORK_SOURCES.length})`;
  return `${precedence}, priority ${item.priority}, waiting ${age(now - item.createdAt)}`;
}

function holdsOf(item: WorkItem, specialist: Specialist | null, context: PlanContext & { items: readonly WorkItem[] }): string[] {
  const holds: string[] = [];
  if (item.state === "dispatched") holds.push(typeof item.detail.pr === "number" ? `waiting on its PR #${item.detail.pr}: review, approval, merge` : "already dispatched: its task is running");
  if (item.state === "blocked") holds.push(`waiting on a person: ${item.question ?? "no question recorded"}`);
  if (context.pause) holds.push(`paused by ${context.pause.by}: ${context.pause.reason}`);
  if (!specialist) {
    const waiting = context.unavailable?.find((u) => takes(u.spec, item));
    holds.push(waiting ? `missing capability: the ${waiting.spec.name} would take it, but it ${waiting.why}` : `missing capability: no specialist takes ${item.type} items${item.labels.length > 0 ? ` labelled ${item.labels.slice(0, 5).join(", ")}` : ""} yet`);
  }
  if (specialist && item.state === "open") {
    if (context.limits) holds.push(...overallHolds(context.items, context.limits, context.now));
    holds.push(...capHolds(context.items, specialist, context.now, context.limits));
    const own = context.hold?.(item, context.now);
    if (own) holds.push(own);
  }
  return holds;
}

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.round(s / 60)}m`;
  if (s < 86_400) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

/** The blocked items' questions, in the order given. */
export function openQuestions(items: readonly WorkItem[]): OpenQuestion[] {
  return items.filter((i) => i.state === "blocked" && i.question).map((i) => ({ item: i.id, question: i.question!, escalation: i.escalation ?? null }));
}

/** The tier classified at the item's last selection, else the one declared with it. */
function selectedTier(item: WorkItem): RiskTier | null {
  const selection = item.detail.selection as { tier?: RiskTier } | undefined;
  return selection?.tier ?? item.risk;
}
