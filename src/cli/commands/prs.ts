import type { Command } from "commander";

export function registerPrs(program: Command): void {
  program
    .command("prs")
    .description("list pull requests (newest first)")
    .option("--state <state>", "open | merged | closed")
    .option("--json", "machine-readable output")
    .addHelpText("after", "\nExamples:\n  pushpals prs\n  pushpals prs --state open --json")
    .action(async (opts: { state?: string; json?: boolean }) => {
      const { runPrs } = await import("./prs-action.ts");
      await runPrs(program, opts);
    });

  program
    .command("pr")
    .description("show, merge or close one pull request")
    .argument("<action-or-number>", "a PR number to show it, or merge | close")
    .argument("[number]", "the PR number (with merge or close)")
    .option("--diff", "show: print the full diff")
    .option("--why <text>", "close: the reason, kept in the audit trail")
    .option("--no-wait", "merge: return once the merge job is queued")
    .option("--head <sha>", "merge: the head you looked at (a prefix is enough): refused if the PR has moved on since")
    .option("--json", "machine-readable output")
    .addHelpText(
      "after",
      `
Examples:
  pushpals pr 3 --diff       # what PR #3 changes, checks and state
  pushpals pr merge 3        # rebase onto the base, check that exact commit, move the base branch
  pushpals pr close 3 --why "superseded by #4"`,
    )
    .action(async (first: string, second: string | undefined, opts: { diff?: boolean; why?: string; wait: boolean; json?: boolean }) => {
      const { runPr } = await import("./prs-action.ts");
      await runPr(program, first, second, opts);
    });
}
