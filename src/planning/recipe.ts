import { PushpalsError } from "../core/errors.ts";
import type { Specialist } from "../specialists/common/specialist.ts";
import type { Task } from "./task.ts";
import type { WorkItem } from "./work-item.ts";

const TIME_BUDGET_SECONDS = 900;

/**
 * An item of a known type as its task, deterministically (a model-backed planner plugs in here later
 * for what no recipe covers). A codemod item names its command and write scope.
 */
export function taskFor(item: WorkItem, specialist: Specialist): Task {
  const command = typeof item.detail.command === "string" ? item.detail.command : null;
  if (!command || item.scope.length === 0) {
    throw new PushpalsError("invalid_input", `work item ${item.id} (${item.type}) names no command or write scope`, { hint: 'add it with: pushpals backlog add "..." --run "<command>" --scope "<glob>"' });
  }
  return {
    goal: item.title,
    constraints: { scope: item.scope, timeBudgetSeconds: TIME_BUDGET_SECONDS, style: null },
    risk: item.risk ?? "low",
    definitionOfDone: ["the change stays inside its write scope", "the configured checks pass on the exact commit", "the ReviewAgent's gates pass; the PR merges"],
    notes: [`work item ${item.id} (${item.source})`, ...(item.notes ? [item.notes] : [])],
    specialist: specialist.id,
    kind: specialist.kinds[0]!,
  };
}
