import type { WorkItem } from "./work-item.ts";

let n = 0;

/** A work item for unit tests: ids, keys and ages in order of creation. */
export function fixtureItem(over: Partial<WorkItem>): WorkItem {
  n += 1;
  return {
    id: `wi_${String(n).padStart(8, "0")}`,
    dedupeKey: `k${n}`,
    source: "backlog",
    type: "backlog_task",
    title: `item ${n}`,
    priority: 50,
    state: "open",
    risk: null,
    scope: [],
    labels: [],
    notes: null,
    createdBy: "os:alice",
    createdAt: 1_000 + n,
    updatedAt: 1_000 + n,
    question: null,
    escalation: null,
    answer: null,
    detail: {},
    ...over,
  };
}
