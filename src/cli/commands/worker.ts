import type { Command } from "commander";
import { reportReady, type ComponentReporter } from "../../client/component-reporter.ts";
import { PushpalsError } from "../../errors/pushpals-error.ts";
import { newId } from "../../jobs/ids.ts";
import { probeSandbox } from "../../sandbox/probe.ts";
import type { SandboxSettings } from "../../sandbox/sandbox-settings.ts";
import { BUILTIN_HANDLERS } from "../../workers/handlers.ts";
import { WorkerRuntime } from "../../workers/runtime.ts";
import { cliContext } from "../context.ts";
import { onSupervisorGone } from "../supervised.ts";

export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description("run one WorkerPal in the foreground: claims and runs jobs until stopped (SIGTERM returns its job)")
    .addHelpText("after", '\nUsually started for you by `pushpals start --workers N`.\n\nExamples:\n  pushpals worker --name extra-pal\n  pushpals worker --kinds checks')
    .option("--name <name>", "display name", "workerpal")
    .option("--kinds <list>", "comma-separated job kinds to accept (default: all built-in)")
    .option("--id <id>", "stable worker id (default: a new one)")
    .option("--quiet", "print only the ready line and errors")
    .option("--component <name>", "report readiness as this supervised component (set by `pushpals start`)")
    .action(async (opts: { name: string; kinds?: string; id?: string; quiet?: boolean; component?: string }) => {
      const ctx = await cliContext(program.opts());
      const wanted = opts.kinds?.split(",").map((k) => k.trim());
      const handlers = wanted ? BUILTIN_HANDLERS.filter((h) => wanted.includes(h.kind)) : BUILTIN_HANDLERS;
      if (handlers.length === 0) {
        throw new PushpalsError("invalid_input", `--kinds ${opts.kinds}: no built-in handler for these kinds`, {
          field: "kinds",
          hint: `known kinds: ${BUILTIN_HANDLERS.map((h) => h.kind).join(", ")}`,
        });
      }
      const sandbox = ctx.config().sandbox;
      await requireSandbox(sandbox, (m) => process.stderr.write(`[worker ${opts.name}] ${m}\n`));
      const id = opts.id ?? newId("wrk");
      let reporter: ComponentReporter | null = null;
      const runtime = new WorkerRuntime({
        id,
        onRegistered: async () => {
          if (opts.component) reporter = await reportReady(ctx.client, opts.component, "worker", id);
        },
        name: opts.name,
        client: ctx.client,
        paths: ctx.paths,
        handlers,
        sandbox,
        // The "registered" line is the readiness signal supervisors wait for; --quiet keeps it.
        onEvent: (m) => (!opts.quiet || m.startsWith("registered")) && process.stdout.write(`[worker ${opts.name}] ${m}\n`),
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
    });
}

/** A worker whose sandbox cannot start refuses to claim jobs, rather than failing each one as if its checks failed. */
async function requireSandbox(settings: SandboxSettings, warn: (message: string) => void): Promise<void> {
  if (settings.mode === "off") {
    warn('WARNING: sandbox.mode is "off": job commands run unconfined, with this user\'s files, network and credentials');
    return;
  }
  const probe = await probeSandbox(settings);
  if (probe.ok) return;
  throw new PushpalsError("component_failed", `the job sandbox cannot start: ${probe.problem}`, { hint: probe.fix });
}
