import type { Command } from "commander";
import { createMergeHandler } from "../../agents/scm/merge-handler.ts";
import { createPublishHandler } from "../../agents/scm/publish-handler.ts";
import { reportReady, type ComponentReporter } from "../../client/component-reporter.ts";
import { PushpalsError } from "../../errors/pushpals-error.ts";
import { newId } from "../../jobs/ids.ts";
import { WorkerRuntime } from "../../workers/runtime.ts";
import { cliContext, type CliContext } from "../context.ts";
import { onSupervisorGone } from "../supervised.ts";

type AgentRole = "remote-agent" | "review-agent" | "scm";

/**
 * `pushpals agent <role>`: the RemoteAgent, ReviewAgent and SourceControlManager processes. The
 * SourceControlManager runs merge jobs (the only code path that moves a base branch); the RemoteAgent
 * and ReviewAgent register, report ready and heartbeat until planning and review arrive.
 */
export function registerAgent(program: Command): void {
  program
    .command("agent")
    .description("run one agent process in the foreground (started by `pushpals start`)")
    .addHelpText("after", "\nExample:\n  pushpals agent review-agent")
    .argument("<role>", "remote-agent | review-agent | scm")
    .option("--name <name>", "component name (default: the role)")
    .option("--id <id>", "scm: stable worker id for its merge jobs (default: a new one)")
    .action(async (role: string, opts: { name?: string; id?: string }) => {
      if (!["remote-agent", "review-agent", "scm"].includes(role)) {
        throw new PushpalsError("invalid_input", `unknown agent role "${role}"`, { field: "role", hint: "use remote-agent, review-agent or scm" });
      }
      const ctx = await cliContext(program.opts());
      const name = opts.name ?? role;
      if (role === "scm") return runScm(ctx, name, opts.id ?? newId("wrk"));
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

async function runScm(ctx: CliContext, name: string, id: string): Promise<void> {
  let reporter: ComponentReporter | null = null;
  const runtime = new WorkerRuntime({
    id,
    name,
    client: ctx.client,
    paths: ctx.paths,
    sandbox: ctx.config().sandbox,
    handlers: [createMergeHandler(ctx.config()), createPublishHandler(ctx.config().github)],
    onRegistered: async () => {
      reporter = await reportReady(ctx.client, name, "scm", id);
      process.stdout.write(`[${name}] ready (pid ${process.pid})\n`);
    },
    onEvent: (m) => void process.stdout.write(`[${name}] ${m}\n`),
  });
  process.on("SIGTERM", () => runtime.stop());
  process.on("SIGINT", () => runtime.stop());
  onSupervisorGone(() => runtime.stop());
  try {
    await runtime.run();
  } finally {
    (reporter as ComponentReporter | null)?.stop();
  }
  process.exit(0);
}
