/**
 * What an agent CLI is asked (its one argument): the same rules as the built-in loop's, the task last.
 * Starts with a letter, never a dash, so no CLI reads it as a flag.
 */
export function agentCliPrompt(task: string, scope: readonly string[], baseBranch: string): string {
  return [
    "You are a careful software engineer working in a git checkout of a repository (the current directory), in a sandbox with no network: only the model API is reachable.",
    "Carry out the task below by changing the files. Do not commit: PushPals commits, checks and proposes what you changed.",
    `Change only files matching ${scope.join(", ")}; anything else is refused when the change is committed.`,
    "Prefer small, reviewable changes. Reproduce a bug with a failing test before fixing it. Never try to reach the network, read credentials, or change CI, policy or PushPals configuration.",
    "When the task is done (the change is in the files, its tests pass), stop.",
    "",
    `The task (for ${baseBranch}):`,
    "",
    task,
  ].join("\n");
}
