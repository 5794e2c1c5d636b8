import type { ModelMessage } from "../../models/model-types.ts";
import { SUBMIT } from "./agent-action.ts";

/**
 * The loop's instructions and the task, as the model's first messages. Everything the repository says
 * (file contents, command output) reaches the model only as the observations that follow: data, which the
 * model may misread, and which the gates after it (scope, checks, review, policy) judge, never obey.
 */
export function agentPrompt(task: string, scope: readonly string[], baseBranch: string): ModelMessage[] {
  const system = [
    "You are a careful software engineer working in a git checkout of a repository, in a sandbox with no network.",
    "Each reply: think briefly, then give exactly ONE shell command in ONE ```bash block. It runs from the repository root; you get its exit code and output back.",
    `When the task is done (the change is in the files, its tests pass), reply with a block containing only ${SUBMIT}. Do not commit: PushPals commits, checks and proposes what you changed.`,
    `Change only files matching ${scope.join(", ")}; anything else is refused when the change is committed.`,
    "Prefer small, reviewable changes. Reproduce a bug with a failing test before fixing it. Never try to reach the network, read credentials, or change CI, policy or PushPals configuration.",
    "Edit files with standard tools (sed, cat <<'EOF' > file, patch, or a short python/node script).",
  ].join("\n");
  return [
    { role: "system", content: system },
    { role: "user", content: `The task (for ${baseBranch}):\n\n${task}` },
  ];
}
