import { kindsForRole } from "../../kinds/registry.ts";
import { runWorkerProcess, type ProcessEnv } from "../../runtime/worker-process.ts";

/** The ReviewAgent process: runs the `review-agent` kinds (review), each on a PR head's exact diff. */
export function runReviewAgent(env: ProcessEnv, options: { name: string; id: string }): Promise<never> {
  return runWorkerProcess(env, {
    id: options.id,
    name: options.name,
    kinds: kindsForRole("review-agent"),
    component: { name: options.name, role: "review-agent" },
    role: "review-agent",
    say: (m) => void process.stdout.write(`[${options.name}] ${m}\n`),
    onReady: () => void process.stdout.write(`[${options.name}] ready (pid ${process.pid})\n`),
  });
}
