/** The agent processes `pushpals agent <role>` and `src/roles/agent.ts` run (a constant of its own, so registering the command loads nothing else). */
export const ROLES = ["remote-agent", "review-agent", "scm"] as const;
