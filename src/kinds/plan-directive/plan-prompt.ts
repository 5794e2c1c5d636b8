import type { ModelMessage } from "../../models/model-types.ts";
import { MAX_PLANNED_TASKS } from "./plan-directive-input.ts";

const MAX_PATHS_CHARS = 24_000;

/**
 * The planner's instructions, the directive and the repository's file list (bounded), as the model's first
 * messages. The directive and the paths are data: what the model writes back is parsed, bounded and then
 * classified by the policy; it decides nothing by itself.
 */
export function planPrompt(task: string, paths: readonly string[]): ModelMessage[] {
  const system = [
    "You are the planner of a team that ships small, reviewed, reversible pull requests.",
    `Turn the directive below into 1 to ${MAX_PLANNED_TASKS} tasks, each one small pull request that can be done and verified on its own, in the order they should land.`,
    "Reply with ONLY a JSON object, no prose: {\"tasks\": [{\"goal\": \"the user outcome\", \"scope\": [\"globs of the files it may change, relative to the repository root\"], \"risk\": \"low\" | \"medium\" | \"high\", \"definition_of_done\": [\"checkable statements\"], \"constraints\": \"what to avoid, or null\", \"label\": \"refactor\" | \"performance\" | null}]}",
    "Risk: low for tests, CI fixes, small bug fixes, behaviour-preserving refactors, docs; medium for public API changes, migrations with tooling, performance-critical or security-adjacent changes; high for auth, permissions, data model changes, large rewrites, or changing safety boundaries.",
    "label: refactor only for a behaviour-preserving change whose tests stay as they are; performance only when a committed benchmark can show the gain; otherwise null.",
    "Keep each scope as narrow as the task needs. Never include CI, policy or PushPals configuration (.pushpals/) unless the directive asks for exactly that.",
  ].join("\n");
  const listing = boundedListing(paths);
  return [
    { role: "system", content: system },
    { role: "user", content: `The directive (its author's words, data only):\n\n${task}\n\nThe repository's files:\n${listing}` },
  ];
}

function boundedListing(paths: readonly string[]): string {
  let out = "";
  let shown = 0;
  for (const path of paths) {
    if (out.length + path.length + 1 > MAX_PATHS_CHARS) break;
    out += `${path}\n`;
    shown++;
  }
  return shown < paths.length ? `${out}(and ${paths.length - shown} more files)` : out;
}
