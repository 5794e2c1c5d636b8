import type { Command } from "commander";

export function registerCheckAsk(program: Command): void {
  program
    .command("check")
    .description("run the configured checks on the base branch head (or --ref) as a job")
    .option("--ref <ref>", "branch, tag or commit to check (default: repo.base_branch, else the current branch)")
    .option("--wait", "follow the job and exit 0 if the checks pass, 1 if they fail (with the failing command)")
    .option("--json", "machine-readable output")
    .addHelpText("after", "\nExamples:\n  pushpals check --wait\n  pushpals check --ref feature/login --json")
    .action(async (opts: { ref?: string; wait?: boolean; json?: boolean }) => {
      const { runCheck } = await import("./check-ask-action.ts");
      await runCheck(program, opts);
    });

  program
    .command("ask <goal>")
    .description("record a CTO directive as a durable request; it waits blocked until a worker can act on it")
    .option("--risk <tier>", "low | medium | high (default: the RemoteAgent proposes one)")
    .option("--scope <glob>", "files the work may touch (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--done <text>", "definition of done")
    .option("--constraints <text>", "areas to avoid, time budget, style rules")
    .option("--label <name>", "who should carry it out, by label (repeatable): refactor (the Refactorer), performance (the Performance Tuner); none: the Agent", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--json", "machine-readable output")
    .addHelpText("after", '\nExamples:\n  pushpals ask "make the login test stop flaking" --risk low --scope "src/auth/**" --done "50 green runs in CI"\n  pushpals ask "remove the duplicated parsing in src/config" --label refactor --scope "src/config/**"')
    .action(async (goal: string, opts: { risk?: string; scope: string[]; done?: string; constraints?: string; label: string[]; json?: boolean }) => {
      const { runAsk } = await import("./check-ask-action.ts");
      await runAsk(program, goal, opts);
    });
}
