import { runAgentProcess, type ProcessEnv } from "../../runtime/worker-process.ts";

/** The ReviewAgent process: runs the `review-agent` kinds (review), each on a PR head's exact diff. */
export function runReviewAgent(env: ProcessEnv, options: { name: string; id: string }): Promise<never> {
  return runAgentProcess(env, "review-agent", options);
}
