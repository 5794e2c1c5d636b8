import type { Command } from "commander";
import { buildChecksInput } from "../../kinds/checks/build-checks-input.ts";
import { routes } from "../../api/routes.ts";
import { cliContext } from "../context.ts";
import { currentBranch, follow } from "../follow.ts";
import { DirectiveInput } from "../../kinds/directive/directive-input.ts";
import { EXIT } from "../../core/exit-codes.ts";
import { jobDetail, printJson, shortSha } from "../format.ts";
import { visible } from "../../core/safe-text.ts";
import { style } from "../style.ts";

export async function runCheck(program: Command, opts: { ref?: string; wait?: boolean; json?: boolean }): Promise<void> {
  const ctx = await cliContext(program.opts());
  const ref = opts.ref ?? ctx.config().repo.base_branch ?? (await currentBranch(ctx));
  const input = await buildChecksInput(ctx.paths.repoRoot, ctx.config(), ref);
  const body = { kind: "checks", input, dedupeKey: `checks:${input.commit}`, maxAttempts: ctx.config().jobs.max_attempts };
  const data = await ctx.client.call(routes.enqueueJob, { body });
  const short = shortSha(input.commit);
  if (!opts.wait) {
    if (opts.json) return printJson(data);
    process.stdout.write(`${data.deduped ? "already checking" : "checking"} ${visible(ref)} at ${short}: job ${visible(data.job.id)}\n  follow it: pushpals logs ${visible(data.job.id)} -f\n`);
    return;
  }
  if (!opts.json) process.stdout.write(`checking ${visible(ref)} at ${short}: job ${visible(data.job.id)}\n`);
  await follow(ctx, data.job.id, !opts.json);
  const final = await ctx.client.call(routes.getJob, { params: { id: data.job.id } });
  if (opts.json) printJson(final);
  else if (final.job.state !== "succeeded") {
    process.stdout.write(`${jobDetail(final.job, final.transitions)}\n`);
    // A failing check on the base branch itself: every PR made on it meets the same failure.
    if (final.job.failure?.class === "checks_failed" && ref === (ctx.config().repo.base_branch ?? ref)) {
      process.stdout.write(`${style.bold(`${visible(ref)} is red at ${short}`)}: PRs made on it still open when their checks fail only the way the base does (their checks say base_red); the failing build is a work item of its own\n`);
    }
  }
  else process.stdout.write(`${style.green("checks passed")} on ${short}\n`);
  process.exitCode = final.job.state === "succeeded" ? EXIT.ok : EXIT.failed;
}

export async function runAsk(program: Command, goal: string, opts: { risk?: string; scope: string[]; done?: string; constraints?: string; label?: string[]; json?: boolean }): Promise<void> {
  const ctx = await cliContext(program.opts());
  const input = { goal, risk: opts.risk ?? null, scope: opts.scope, done: opts.done ?? null, constraints: opts.constraints ?? null, labels: opts.label ?? [] };
  const baseBranch = ctx.config().repo.base_branch ?? (await currentBranch(ctx));
  const data = await ctx.client.call(routes.recordDirective, { body: { directive: DirectiveInput.parse(input), baseBranch } });
  if (opts.json) return printJson(data);
  if (!data.rfcJob) return void process.stdout.write(`recorded directive ${visible(data.job.id)} (blocked: ${visible(data.job.blockedReason ?? "")})\n`);
  process.stdout.write(`recorded High-risk directive ${visible(data.job.id)}; its RFC is being written as a PR by job ${visible(data.rfcJob.id)}\n  no code job starts before the RFC is approved and merged: pushpals prs\n`);
}


