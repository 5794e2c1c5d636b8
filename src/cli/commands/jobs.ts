import type { Command } from "commander";
import { JobState } from "../../core/job-states.ts";
import { routes } from "../../api/routes.ts";
import { PushpalsError } from "../../core/errors.ts";
import { buildChecksInput } from "../../kinds/checks/build-checks-input.ts";
import { cliContext } from "../context.ts";
import { jobDetail, jobsTable, printJson } from "../format.ts";
import { int } from "../parse.ts";
import { visible } from "../safe-text.ts";

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
      const ctx = await cliContext(program.opts());
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(opts.input) as Record<string, unknown>;
      } catch {
        throw new PushpalsError("invalid_input", "--input is not valid JSON", { field: "input" });
      }
      if (kind === "checks") input = { ...(await buildChecksInput(ctx.paths.repoRoot, ctx.config(), opts.commit)), ...input };
      const body = { kind, input, priority: opts.priority, dedupeKey: opts.dedupeKey, maxAttempts: opts.maxAttempts ?? ctx.config().jobs.max_attempts };
      const data = await ctx.client.call(routes.enqueueJob, { body });
      if (opts.json) return printJson(data);
      process.stdout.write(`${data.deduped ? "already queued" : "enqueued"} ${visible(data.job.id)} (${visible(data.job.kind)}, ${visible(data.job.state)})\n`);
    });

  program
    .command("jobs")
    .description("list the most recent jobs (oldest of them first)")
    .addHelpText("after", '\nExamples:\n  pushpals jobs --state failed\n  pushpals jobs --kind checks --limit 20 --json')
    .option("--state <state>", `only this state (${JobState.options.join(", ")})`)
    .option("--kind <kind>", "only this kind")
    .option("--limit <n>", "at most this many", int, 100)
    .option("--json", "machine-readable output")
    .action(async (opts: { state?: string; kind?: string; limit: number; json?: boolean }) => {
      const ctx = await cliContext(program.opts());
      // The state is the user's word as given: the server refuses an unknown one, naming the field.
      const query = { limit: opts.limit, newest: "1" as const, state: (opts.state || undefined) as JobState | undefined, kind: opts.kind || undefined };
      const data = await ctx.client.call(routes.listJobs, { query });
      if (opts.json) return printJson(data);
      process.stdout.write(`${jobsTable(data.jobs)}\n`);
    });

  program
    .command("job <id>")
    .description("one job: state history with timestamps, attempts, failure class and evidence")
    .addHelpText("after", '\nExample:\n  pushpals job job_01a2...  --json | jq .job.failure')
    .option("--json", "machine-readable output")
    .action(async (id: string, opts: { json?: boolean }) => {
      const ctx = await cliContext(program.opts());
      const data = await ctx.client.call(routes.getJob, { params: { id } });
      if (opts.json) return printJson(data);
      process.stdout.write(`${jobDetail(data.job, data.transitions)}\n`);
    });

  program
    .command("cancel <id>")
    .description("cancel a job: a queued one at once, a running one is told to stop")
    .addHelpText("after", '\nExample:\n  pushpals cancel job_01a2... --reason "superseded by a newer commit"')
    .option("--reason <text>", "why (recorded in the audit log)")
    .option("--json", "machine-readable output")
    .action(async (id: string, opts: { reason?: string; json?: boolean }) => {
      const ctx = await cliContext(program.opts());
      const data = await ctx.client.call(routes.cancelJob, { params: { id }, body: { reason: opts.reason } });
      if (opts.json) return printJson(data);
      const { job } = data;
      process.stdout.write(job.state === "running" ? `cancel requested for ${visible(job.id)}; the worker will stop it\n` : `${visible(job.id)} is ${visible(job.state)}\n`);
    });
}
