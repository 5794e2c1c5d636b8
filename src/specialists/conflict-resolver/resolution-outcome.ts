import type { TaskSuccess } from "../../planning/specialist.ts";
import type { WorkItem } from "../../planning/work-item.ts";

interface Resolution {
  prNumber: number;
  pr?: { headSha: string };
  files: { path: string; strategy: string; notes: string[]; hunks: string | null }[];
  ours: string[];
  theirs: string[];
}

const MAX_QUESTION = 3_000;

/** A resolution's meaning for its item: done (resolved, or nothing conflicts now), or a question with the hunks. */
export function resolutionOutcome(_item: WorkItem, result: unknown): TaskSuccess {
  const r = result as Resolution;
  // The item's own `pr` is its follow-up's, cleared on dispatch (that field names a task's PR): the job's result says.
  const pr = String(r.prNumber);
  if (r.pr) return { done: `PR #${pr}'s conflicts resolved as ${r.pr.headSha.slice(0, 12)} (${r.files.map((f) => `${f.path}: ${f.strategy}`).join(", ") || "the base merged cleanly"})` };
  const open = r.files.filter((f) => f.strategy === "unresolved");
  if (open.length === 0) return { done: `PR #${pr} already contains its base: nothing to resolve` };
  const hunks = open.map((f) => `${f.path} (${f.notes.join("; ")}):\n${f.hunks ?? "(no hunks: the file was added or deleted on one side)"}`).join("\n\n");
  const intent = `The PR: ${r.ours.slice(0, 5).join("; ") || "(no commits)"}. The base: ${r.theirs.slice(0, 5).join("; ") || "(no commits)"}.`;
  const question = `PR #${pr} conflicts with its base in ${open.map((f) => f.path).join(", ")}, which no strategy resolves, and nothing was changed. ${intent} Resolve it by hand (merge the base into the PR's branch and push), or close the PR?\n\n${hunks}`;
  return { escalation: "ambiguous", question: question.slice(0, MAX_QUESTION) };
}
