import type { Command } from "commander";
import { routes } from "../../api/routes.ts";
import { PushpalsError } from "../../core/errors.ts";
import { resolveCommit } from "../../scm/branches.ts";
import { commandLine } from "../change-inputs.ts";
import { cliContext } from "../context.ts";
import { EXIT } from "../../core/exit-codes.ts";
import { currentBranch, follow } from "../follow.ts";
import { jobDetail, printJson, shortSha } from "../format.ts";
import { visible } from "../../core/safe-text.ts";
import { style } from "../style.ts";
import { findPrOfJob, prNumber } from "../pr-lookup.ts";
import { loadPolicyAt } from "../../policy/load-policy-at.ts";
import { classifyScopeTargets } from "../../policy/scope-targets.ts";
import { RiskTier } from "../../core/risk-tier.ts";
import { reviewSummary, waitForReview } from "../review-wait.ts";

export async function runRun(program: Command, args: string[], opts: RunOptions): Promise<void> {
  const ctx = await cliContext(program.opts());
  if (opts.scope.length === 0) {
    throw new PushpalsError("invalid_input", "--scope is required: PushPals commits only files inside an explicit write scope", {
      field: "scope",
      hint: 'name what the command may change, e.g. --scope "src/**" --scope README.md',
    });
  }
  const parsedRisk = RiskTier.safeParse(opts.risk);
  if (!parsedRisk.success) throw new PushpalsError("invalid_input", `--risk ${opts.risk}: must be low, medium or high`, { field: "risk" });
  let risk: RiskTier = parsedRisk.data;
  const timeout = Number(opts.timeout);
  if (!Number.isInteger(timeout) || timeout <= 0) throw new PushpalsError("invalid_input", `--timeout ${opts.timeout}: must be a whole number of seconds`, { field: "timeout" });
  const config = ctx.config();
  const target = opts.pr ? (await ctx.client.call(routes.getPr, { params: { number: prNumber(opts.pr) } })).pr : null;
  if (target && target.state !== "open") throw new PushpalsError("conflict", `PR #${target.number} is ${target.state}`, { hint: "only an open PR can get a new commit" });
  const baseBranch = target?.baseBranch ?? config.repo.base_branch ?? (await currentBranch(ctx));
  const baseCommit = target?.baseSha ?? (await resolveCommit(ctx.paths.repoRoot, `refs/heads/${baseBranch}`));
  if (!baseCommit) throw new PushpalsError("invalid_input", `the base branch "${baseBranch}" does not exist`, { field: "repo.base_branch", hint: "set repo.base_branch in .pushpals/config.toml to an existing branch" });
  const rfc = opts.rfc ? (await ctx.client.call(routes.getPr, { params: { number: prNumber(opts.rfc) } })).pr : null;
  if (rfc && (!rfc.rfcFor || rfc.state !== "merged")) {
    throw new PushpalsError("conflict", `PR #${rfc.number} is not a merged RFC`, { hint: "pushpals ask --risk high writes an RFC as a PR; approve and merge it first" });
  }
  // First classification, from the declared scope: a scope that targets protected paths is High now.
  if (!target) {
    const { policy } = await loadPolicyAt(ctx.paths.repoRoot, baseCommit);
    const atEnqueue = classifyScopeTargets(opts.scope, risk, policy);
    if (atEnqueue.tier === "high" && risk !== "high") {
      const why = atEnqueue.reasons.map((r) => `${visible(r.rule)}: ${visible(String(r.paths?.join(", ")))}`).join("; ");
      if (!opts.json) process.stderr.write(`note: --scope makes this change High risk (${why})\n`);
      risk = "high";
    }
  }
  if (risk === "high" && !rfc && !target?.rfc) {
    throw new PushpalsError("forbidden", "a High-risk change needs an approved RFC before any code is written", {
      hint: 'write one: pushpals ask "<goal>" --risk high; once its PR is merged: pushpals run --risk high --rfc <that PR> ...',
    });
  }
  const command = commandLine(args);
  const input = {
    title: opts.title ?? target?.title ?? `Run \`${command.slice(0, 180)}\``,
    body: opts.body ?? "",
    command,
    scope: opts.scope,
    risk,
    role: opts.role,
    baseBranch,
    baseCommit,
    commandTimeoutSeconds: timeout,
    rfc: rfc?.number ?? null,
    updatePr: target ? { number: target.number, headBranch: target.headBranch, headSha: target.headSha } : null,
  };
  const data = await ctx.client.call(routes.enqueueJob, { body: { kind: "run", input, maxAttempts: config.jobs.max_attempts } });
  const jobId = data.job.id;
  const running = `running \`${visible(command)}\` on ${visible(baseBranch)} at ${shortSha(baseCommit)}`;
  if (!opts.wait) {
    if (opts.json) return printJson(data);
    process.stdout.write(`${running}: job ${visible(jobId)}\n  follow it: pushpals logs ${visible(jobId)} -f\n`);
    return;
  }
  if (!opts.json) process.stdout.write(`${running}: job ${visible(jobId)}\n`);
  await follow(ctx, jobId, !opts.json);
  const final = await ctx.client.call(routes.getJob, { params: { id: jobId } });
  const found = final.job.state !== "succeeded" ? null : target ? target : await findPrOfJob(ctx.client, jobId);
  const pr = found ? await waitForReview(ctx, found.number) : null;
  process.exitCode = pr ? EXIT.ok : EXIT.failed;
  if (opts.json) return printJson({ ...final, pr });
  if (!pr) return void process.stdout.write(`${jobDetail(final.job, final.transitions)}\n`);
  const checks = pr.checks.state === "none" ? "no checks configured" : `checks ${visible(pr.checks.state)} on ${shortSha(pr.headSha)}`;
  process.stdout.write(`${style.green(`${target ? "updated" : "opened"} PR #${pr.number}`)}: ${visible(pr.title)} (${pr.files.length} file(s), ${checks})\n`);
  process.stdout.write(`${reviewSummary(pr).join("\n")}\n  look:   pushpals pr ${pr.number} --diff\n  merge:  pushpals pr merge ${pr.number}\n`);
}

export interface RunOptions {
  role: string;
  pr?: string;
  rfc?: string;
  title?: string;
  body?: string;
  scope: string[];
  risk: string;
  timeout: string;
  wait: boolean;
  json?: boolean;
}
