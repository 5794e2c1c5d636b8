import type { Command } from "commander";
import { PushpalsError } from "../../core/errors.ts";
import { newId } from "../../core/ids.ts";
import { kindsForRole } from "../../kinds/registry.ts";
import { cliContext } from "../context.ts";
import { visible } from "../safe-text.ts";
import { runWorkerProcess } from "../../runtime/worker-process.ts";

export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description("run one WorkerPal in the foreground: claims and runs jobs until stopped (SIGTERM returns its job)")
    .addHelpText("after", `\nKinds a WorkerPal runs:\n${kindsForRole("worker").map((k) => `  ${k.id.padEnd(8)} ${k.summary}`).join("\n")}\n\nUsually started for you by \`pushpals start --workers N\`.\n\nExamples:\n  pushpals worker --name extra-pal\n  pushpals worker --kinds checks`)
    .option("--name <name>", "display name", "workerpal")
    .option("--kinds <list>", "comma-separated job kinds to accept (default: all built-in)")
    .option("--id <id>", "stable worker id (default: a new one)")
    .option("--quiet", "print only the ready line and errors")
    .option("--component <name>", "report readiness as this supervised component (set by `pushpals start`)")
    .action(async (opts: { name: string; kinds?: string; id?: string; quiet?: boolean; component?: string }) => {
      const ctx = await cliContext(program.opts());
      const wanted = opts.kinds?.split(",").map((k) => k.trim());
      const all = kindsForRole("worker");
      const kinds = wanted ? all.filter((k) => wanted.includes(k.id)) : all;
      if (kinds.length === 0) {
        throw new PushpalsError("invalid_input", `--kinds ${opts.kinds}: no built-in handler for these kinds`, {
          field: "kinds",
          hint: `known kinds: ${all.map((k) => k.id).sort().join(", ")}`,
        });
      }
      const name = opts.name;
      await runWorkerProcess({ client: ctx.client, paths: ctx.paths, config: ctx.config() }, {
        id: opts.id ?? newId("wrk"),
        name,
        kinds,
        component: opts.component ? { name: opts.component, role: "worker" } : null,
        role: "worker",
        // The "registered" line is the readiness signal supervisors wait for; --quiet keeps it.
        say: (m) => void ((!opts.quiet || m.startsWith("registered")) && process.stdout.write(`${visible(`[worker ${name}] ${m}`)}\n`)),
      });
    });
}

