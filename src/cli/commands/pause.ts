import type { Command } from "commander";

export function registerPause(program: Command): void {
  program
    .command("pause")
    .description("stop everything at once: no job is claimed and no merge moves a branch until `pushpals resume`")
    .option("--why <text>", "the reason, kept in the audit trail and shown by `pushpals status`")
    .option("--json", "machine-readable output")
    .addHelpText("after", '\nRunning jobs finish their current command; a merge about to move a branch goes back to the queue.\n\nExample:\n  pushpals pause --why "release freeze"')
    .action(async (opts: { why?: string; json?: boolean }) => {
      const { runPause } = await import("./pause-action.ts");
      await runPause(program, opts);
    });

  program
    .command("resume")
    .description("undo `pushpals pause`: claims and merges continue where they stopped")
    .option("--json", "machine-readable output")
    .addHelpText("after", "\nExample:\n  pushpals resume")
    .action(async (opts: { json?: boolean }) => {
      const { runResume } = await import("./pause-action.ts");
      await runResume(program, opts);
    });
}
