import type { Command } from "commander";
import { int } from "../parse.ts";

export function registerPlan(program: Command): void {
  program
    .command("plan")
    .description("the RemoteAgent's ranked work items, why each is where it is, and what holds each back (changes nothing)")
    .option("--json", "machine-readable output")
    .addHelpText(
      "after",
      "\nOrder: source (directive, failing build, backlog, PR follow-up, onboarding), then priority (higher first), then age.\n\nExample:\n  pushpals plan",
    )
    .action(async (opts: { json?: boolean }) => {
      const { runPlan } = await import("./plan-action.ts");
      await runPlan(program, opts);
    });

  const backlog = program.command("backlog").description("the local backlog of tasks for PushPals (work items of source `backlog`)");
  backlog
    .command("add")
    .description("add a task to the backlog (adding the same title again is the same item)")
    .argument("<title>", "what should be done, as the user outcome")
    .option("--priority <n>", "0-100, higher first (default 50)", int)
    .option("--label <label...>", "labels, e.g. bug")
    .option("--notes <text>", "links, logs, context")
    .option("--run <command>", "a codemod: the command the Codemod Runner runs in the sandbox (needs --scope)")
    .option("--scope <glob...>", "paths the codemod may change")
    .option("--type <type>", "the item type a specialist takes (default: codemod with --run, else backlog_task)")
    .option("--json", "machine-readable output")
    .addHelpText("after", '\nExamples:\n  pushpals backlog add "flaky login test" --priority 70 --label bug\n  pushpals backlog add "use const" --run "npx eslint --fix --rule prefer-const:error src" --scope "src/**"')
    .action(async (title: string, opts: { priority?: number; label?: string[]; notes?: string; type?: string; run?: string; scope?: string[]; json?: boolean }) => {
      const { runBacklogAdd } = await import("./plan-action.ts");
      await runBacklogAdd(program, title, opts);
    });
  backlog
    .command("list")
    .description("the work items (active ones; --all for every one)")
    .option("--all", "also done and dropped items")
    .option("--json", "machine-readable output")
    .addHelpText("after", "\nExample:\n  pushpals backlog list --all")
    .action(async (opts: { all?: boolean; json?: boolean }) => {
      const { runBacklogList } = await import("./plan-action.ts");
      await runBacklogList(program, opts);
    });
  backlog
    .command("drop")
    .description("withdraw a work item (it stays in the history)")
    .argument("<item>", "work item id (wi_...)")
    .option("--why <text>", "the reason, kept in the audit trail")
    .option("--json", "machine-readable output")
    .addHelpText("after", "\nExample:\n  pushpals backlog drop wi_0193... --why \"not needed\"")
    .action(async (item: string, opts: { why?: string; json?: boolean }) => {
      const { runBacklogDrop } = await import("./plan-action.ts");
      await runBacklogDrop(program, item, opts);
    });

  program
    .command("report")
    .description("what shipped, with evidence, risk notes and the exact revert, and what comes next (the vision's report)")
    .option("--since <duration>", "the window: 30m, 24h, 7d, 2w (default 24h)")
    .option("--md", "Markdown, for an issue or a chat")
    .option("--json", "machine-readable output")
    .addHelpText("after", "\nExamples:\n  pushpals report\n  pushpals report --since 7d --md > weekly.md")
    .action(async (opts: { since?: string; md?: boolean; json?: boolean }) => {
      const { runReport } = await import("./report-action.ts");
      await runReport(program, opts);
    });

  program
    .command("specialists")
    .alias("workers")
    .description("the capability registry: each specialist WorkerPal, the items and job kinds it takes, and whether it can run here")
    .option("--json", "machine-readable output")
    .addHelpText("after", "\nAlso: pushpals workers. The WorkerPal processes themselves are in pushpals status.\n\nExample:\n  pushpals specialists")
    .action(async (opts: { json?: boolean }) => {
      const { runSpecialists } = await import("./plan-action.ts");
      await runSpecialists(program, opts);
    });

  program
    .command("answer")
    .description("answer the question a blocked work item waits on; it moves on (audited)")
    .argument("<item>", "work item id (wi_...), as `pushpals plan` lists it")
    .argument("<answer>", "your answer")
    .option("--rfc <pr>", "high-risk work: the merged RFC PR it carries out (its approval)", int)
    .option("--run <command>", "the task: the command the Codemod Runner runs in the sandbox (a directive becomes a codemod)")
    .option("--scope <glob...>", "the task's write scope (narrows what it may change)")
    .option("--json", "machine-readable output")
    .addHelpText(
      "after",
      '\nExamples:\n  pushpals answer wi_0193... "only the CLI output, not the API" --run "npx eslint --fix src/cli" --scope "src/cli/**"\n  pushpals answer wi_0193... "as the RFC says" --rfc 12',
    )
    .action(async (item: string, answer: string, opts: { rfc?: number; run?: string; scope?: string[]; json?: boolean }) => {
      const { runAnswer } = await import("./plan-action.ts");
      await runAnswer(program, item, answer, opts);
    });
}
