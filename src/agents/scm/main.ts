import { kindsForRole } from "../../kinds/registry.ts";
import { runWorkerProcess, type ProcessEnv } from "../../runtime/worker-process.ts";

/**
 * The SourceControlManager process: runs the `scm` kinds (merge, publish). It is the only component
 * that moves a base branch and the only one that resolves a provider's token.
 */
export function runScmAgent(env: ProcessEnv, options: { name: string; id: string }): Promise<never> {
  return runWorkerProcess(env, {
    id: options.id,
    name: options.name,
    kinds: kindsForRole("scm"),
    component: { name: options.name, role: "scm" },
    role: "scm",
    say: (m) => void process.stdout.write(`[${options.name}] ${m}\n`),
    onReady: () => void process.stdout.write(`[${options.name}] ready (pid ${process.pid})\n`),
  });
}
