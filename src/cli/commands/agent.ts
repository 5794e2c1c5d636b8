import type { Command } from "commander";
import { createMergeHandler } from "../../agents/scm/merge-handler.ts";
import { createPublishHandler } from "../../agents/scm/publish-handler.ts";
import { createReviewHandler } from "../../agents/review/review-handler.ts";
import type { JobHandler } from "../../workers/handler.ts";
import { reportReady } from "../../client/component-reporter.ts";
import { PushpalsError } from "../../core/errors.ts";
import { newId } from "../../core/ids.ts";
import { cliContext, type CliContext } from "../context.ts";
import { onSupervisorGone } from "../supervised.ts";
import { runWorkerProcess } from "../worker-process.ts";

type AgentRole = "remote-agent" | "review-agent" | "scm";

/**
 * `pushpals agent <role>`: the RemoteAgent, ReviewAgent and SourceControlManager processes. The
 * SourceControlManager runs merge and publish jobs (the only code path that moves a base branch), the
 * ReviewAgent runs review jobs; the RemoteAgent registers, reports ready and heartbeats until planning arrives.
 */
export function registerAgent(program: Command): void {
  program
    .command("agent")
    .description("run one agent process in the foreground (started by `pushpals start`)")
    .addHelpText("after", "\nExample:\n  pushpals agent review-agent")
    .argument("<role>", "remote-agent | review-agent | scm")
    .option("--name <name>", "component name (default: the role)")
    .option("--id <id>", "scm, review-agent: stable worker id for its jobs (default: a new one)")
    .action(async (role: string, opts: { name?: string; id?: string }) => {
      if (!["remote-agent", "review-agent", "scm"].includes(role)) {
        throw new PushpalsError("invalid_input", `unknown agent role "${role}"`, { field: "role", hint: "use remote-agent, review-agent or scm" });
      }
      const ctx = await cliContext(program.opts());
      const name = opts.name ?? role;
      if (role === "scm") return runAgentWorker(ctx, name, "scm", opts.id ?? newId("wrk"), [createMergeHandler(ctx.config()), createPublishHandler(ctx.config().github)]);
      if (role === "review-agent") return runAgentWorker(ctx, name, "review-agent", opts.id ?? newId("wrk"), [createReviewHandler(ctx.config().sandbox.network)]);
      const reporter = await reportReady(ctx.client, name, role as AgentRole, null);
      process.stdout.write(`[${name}] ready (pid ${process.pid})\n`);
      await new Promise<void>((resolve) => {
        process.on("SIGTERM", () => resolve());
        process.on("SIGINT", () => resolve());
        onSupervisorGone(resolve);
      });
      reporter.stop();
      process.exit(0);
    });
}

/** An agent that works through its own job kinds, like a WorkerPal: merges and publishing (SCM), reviews (ReviewAgent). */
function runAgentWorker(ctx: CliContext, name: string, role: AgentRole, id: string, handlers: JobHandler[]): Promise<never> {
  return runWorkerProcess(ctx, {
    id,
    name,
    handlers,
    component: { name, role },
    say: (m) => void process.stdout.write(`[${name}] ${m}\n`),
    onReady: () => void process.stdout.write(`[${name}] ready (pid ${process.pid})\n`),
  });
}
