import type { Command } from "commander";

export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description("run one WorkerPal in the foreground: claims and runs jobs until stopped (SIGTERM returns its job)")
    // The kinds' registry loads every kind: only when this help is shown (a sync require, as commander's help is sync).
    .addHelpText("after", () => {
      const { kindsForRole } = require("../../kinds/registry.ts") as typeof import("../../kinds/registry.ts");
      return `\nKinds a WorkerPal runs:\n${kindsForRole("worker").map((k) => `  ${k.id.padEnd(8)} ${k.summary}`).join("\n")}\n\nUsually started for you by \`pushpals start --workers N\`.\n\nExamples:\n  pushpals worker --name extra-pal\n  pushpals worker --kinds checks`;
    })
    .option("--name <name>", "display name", "workerpal")
    .option("--kinds <list>", "comma-separated job kinds to accept (default: all built-in)")
    .option("--id <id>", "stable worker id (default: a new one)")
    .option("--quiet", "print only the ready line and errors")
    .option("--component <name>", "report readiness as this supervised component (set by `pushpals start`)")
    .action(async (opts: { name: string; kinds?: string; id?: string; quiet?: boolean; component?: string }) => {
      const { runWorker } = await import("./worker-action.ts");
      await runWorker(program, opts);
    });
}
