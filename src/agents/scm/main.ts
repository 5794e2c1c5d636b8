import { runAgentProcess, type ProcessEnv } from "../../runtime/worker-process.ts";

/**
 * The SourceControlManager process: runs the `scm` kinds (merge, publish). It is the only component
 * that moves a base branch and the only one that resolves a provider's token.
 */
export function runScmAgent(env: ProcessEnv, options: { name: string; id: string }): Promise<never> {
  return runAgentProcess(env, "scm", options);
}
