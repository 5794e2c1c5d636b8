import type { Command } from "commander";
import type { RevertOptions } from "./revert-action.ts";

export function registerRevert(program: Command): void {
  program
    .command("revert")
    .description("open a PR that reverts a merged PR: the exact commits its merge landed, through the same checks, review and merge gate")
    .argument("<pr>", "the number of a PR PushPals merged")
    .option("--no-wait", "print the job id and return at once")
    .option("--json", "machine-readable output")
    .addHelpText(
      "after",
      `
Examples:
  pushpals revert 3          # PR "Revert #3: ..." opens once its checks pass
  pushpals revert 3 --json

Asking again while that revert is open finds the same job. The revert PR merges like any other: pushpals pr merge <n>.`,
    )
    .action(async (pr: string, opts: RevertOptions) => {
      const { runRevert } = await import("./revert-action.ts");
      await runRevert(program, pr, opts);
    });
}
