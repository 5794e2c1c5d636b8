import type { Command } from "commander";
import { lazyOption } from "../lazy-help.ts";
import { int } from "../parse.ts";

export function registerJobs(program: Command): void {
  program
    .command("enqueue <kind>")
    .description("enqueue a job (for checks: the commit and the configured commands are filled in)")
    .addHelpText("after", '\nExamples:\n  pushpals enqueue checks --commit main\n  pushpals enqueue noop --input \'{"sleepMs": 1000}\' --dedupe-key smoke-test')
    .option("--input <json>", "job input as JSON", "{}")
    .option("--commit <ref>", "checks: the commit to check", "HEAD")
    .option("--priority <n>", "higher runs first", int)
    .option("--dedupe-key <key>", "return the active job with this key instead of adding one")
    .option("--max-attempts <n>", "attempts before the job fails", int)
    .option("--json", "machine-readable output")
    .action(async (kind: string, opts: { input: string; commit: string; priority?: number; dedupeKey?: string; maxAttempts?: number; json?: boolean }) => {
      const { runEnqueue } = await import("./jobs-action.ts");
      await runEnqueue(program, kind, opts);
    });

  program
    .command("jobs")
    .description("list the most recent jobs (oldest of them first)")
    .addHelpText("after", '\nExamples:\n  pushpals jobs --state failed\n  pushpals jobs --kind checks --limit 20 --json')
    .addOption(lazyOption("--state <state>", () => `only this state (${(require("../../core/job-states.ts") as typeof import("../../core/job-states.ts")).JobState.options.join(", ")})`))
    .option("--kind <kind>", "only this kind")
    .option("--limit <n>", "at most this many", int, 100)
    .option("--json", "machine-readable output")
    .action(async (opts: { state?: string; kind?: string; limit: number; json?: boolean }) => {
      const { runJobs } = await import("./jobs-action.ts");
      await runJobs(program, opts);
    });

  program
    .command("job <id>")
    .description("one job: state history with timestamps, attempts, failure class and evidence")
    .addHelpText("after", '\nExample:\n  pushpals job job_01a2...  --json | jq .job.failure')
    .option("--json", "machine-readable output")
    .action(async (id: string, opts: { json?: boolean }) => {
      const { runJob } = await import("./jobs-action.ts");
      await runJob(program, id, opts);
    });

  program
    .command("cancel <id>")
    .description("cancel a job: a queued one at once, a running one is told to stop")
    .addHelpText("after", '\nExample:\n  pushpals cancel job_01a2... --reason "superseded by a newer commit"')
    .option("--reason <text>", "why (recorded in the audit log)")
    .option("--json", "machine-readable output")
    .action(async (id: string, opts: { reason?: string; json?: boolean }) => {
      const { runCancel } = await import("./jobs-action.ts");
      await runCancel(program, id, opts);
    });
}
