import type { Command } from "commander";
import { routes } from "../../api/routes.ts";
import { EXIT } from "../../core/exit-codes.ts";
import { visible } from "../../core/safe-text.ts";
import { isTerminal } from "../../jobs/states.ts";
import { cliContext } from "../context.ts";
import { follow } from "../follow.ts";
import { jobDetail, printJson, shortSha } from "../format.ts";
import { findPrOfJob, prNumber } from "../pr-lookup.ts";
import { reviewSummary, waitForReview } from "../review-wait.ts";
import { style } from "../style.ts";

export interface RevertOptions {
  wait: boolean;
  json?: boolean;
}

export async function runRevert(program: Command, value: string, opts: RevertOptions): Promise<void> {
  const ctx = await cliContext(program.opts());
  const number = prNumber(value);
  const data = await ctx.client.call(routes.revertPr, { params: { number }, body: {} });
  const jobId = data.job.id;
  const input = data.job.input as { previousBaseSha: string; mergedSha: string; baseBranch: string };
  const asked = `reverting PR #${number} (${shortSha(input.previousBaseSha)}..${shortSha(input.mergedSha)}) on ${visible(input.baseBranch)}: job ${visible(jobId)}${data.deduped ? " (already asked for: the same job)" : ""}`;
  if (!opts.wait) {
    if (opts.json) return printJson(data);
    process.stdout.write(`${asked}\n  follow it: pushpals logs ${visible(jobId)} -f\n`);
    return;
  }
  if (!opts.json) process.stdout.write(`${asked}\n`);
  // The same job asked for again: its log is not replayed once it has ended.
  await follow(ctx, jobId, !opts.json && !(data.deduped && isTerminal(data.job.state)));
  const final = await ctx.client.call(routes.getJob, { params: { id: jobId } });
  const found = final.job.state === "succeeded" ? await findPrOfJob(ctx.client, jobId) : null;
  const pr = found ? await waitForReview(ctx, found.number) : null;
  process.exitCode = pr ? EXIT.ok : EXIT.failed;
  if (opts.json) return printJson({ ...final, deduped: data.deduped, pr });
  if (!pr) return void process.stdout.write(`${jobDetail(final.job, final.transitions)}\n`);
  const checks = pr.checks.state === "none" ? "no checks configured" : `checks ${visible(pr.checks.state)} on ${shortSha(pr.headSha)}`;
  process.stdout.write(`${style.green(data.deduped ? `PR #${pr.number} is open` : `opened PR #${pr.number}`)}: ${visible(pr.title)} (${pr.files.length} file(s), ${checks})\n`);
  process.stdout.write(`${reviewSummary(pr).join("\n")}\n  look:   pushpals pr ${pr.number} --diff\n  merge:  pushpals pr merge ${pr.number}\n`);
}
