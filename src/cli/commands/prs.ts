import type { Command } from "commander";
import { routes } from "../../api/routes.ts";
import { PushpalsError } from "../../core/errors.ts";
import { mergeDedupeKey, mergeInputFor } from "../../prs/merge-request.ts";
import type { PrState, PullRequest } from "../../prs/pr-types.ts";
import { git } from "../../scm/git.ts";
import { checksSnapshot } from "../change-inputs.ts";
import { cliContext, type CliContext } from "../context.ts";
import { EXIT } from "../exit-codes.ts";
import { follow } from "../follow.ts";
import { prNumber } from "../pr-lookup.ts";
import { reviewSummary, waitForReview } from "../review-wait.ts";
import type { GateResult } from "../../prs/merge-gate.ts";
import { age, jobDetail, printJson, table } from "../format.ts";
import { style } from "../style.ts";
import { PROVIDERS } from "../../providers/registry.ts";

export function registerPrs(program: Command): void {
  program
    .command("prs")
    .description("list pull requests (newest first)")
    .option("--state <state>", "open | merged | closed")
    .option("--json", "machine-readable output")
    .addHelpText("after", "\nExamples:\n  pushpals prs\n  pushpals prs --state open --json")
    .action(async (opts: { state?: string; json?: boolean }) => {
      const ctx = await cliContext(program.opts());
      // The state is the user's word as given: the server refuses an unknown one, naming the field.
      const data = await ctx.client.call(routes.listPrs, { query: { state: (opts.state || undefined) as PrState | undefined } });
      if (opts.json) return printJson(data);
      if (data.prs.length === 0) return void process.stdout.write("no pull requests\n");
      const rows = [["#", "STATE", "CHECKS", "RISK", "AGE", "BRANCH", "TITLE"]];
      for (const p of data.prs) rows.push([String(p.number), p.state, p.checks.state, p.risk, age(p.createdAt), p.headBranch, p.title]);
      process.stdout.write(`${table(rows)}\n`);
    });

  program
    .command("pr")
    .description("show, merge or close one pull request")
    .argument("<action-or-number>", "a PR number to show it, or merge | close")
    .argument("[number]", "the PR number (with merge or close)")
    .option("--diff", "show: print the full diff")
    .option("--why <text>", "close: the reason, kept in the audit trail")
    .option("--no-wait", "merge: return once the merge job is queued")
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
      const ctx = await cliContext(program.opts());
      const action = second === undefined ? "show" : first;
      const number = prNumber(second ?? first);
      if (action === "show") return showPr(ctx, number, opts);
      if (action === "merge") return mergePr(ctx, number, opts);
      if (action === "close") {
        const data = await ctx.client.call(routes.closePr, { params: { number }, body: { ...(opts.why ? { reason: opts.why } : {}) } });
        if (opts.json) return printJson(data);
        return void process.stdout.write(`closed PR #${number}; its branch ${data.pr.headBranch} is kept\n`);
      }
      throw new PushpalsError("invalid_input", `unknown pr action "${action}"`, { field: "action", hint: "use: pushpals pr <n>, pushpals pr merge <n> or pushpals pr close <n>" });
    });
}

async function getPr(ctx: CliContext, number: number): Promise<PullRequest> {
  return (await ctx.client.call(routes.getPr, { params: { number } })).pr;
}

async function showPr(ctx: CliContext, number: number, opts: { diff?: boolean; json?: boolean }): Promise<void> {
  const pr = await getPr(ctx, number);
  const range = [pr.baseSha, pr.headSha];
  const diff = opts.diff ? (await git(["diff", "--no-ext-diff", "--no-textconv", ...range], { cwd: ctx.paths.repoRoot })).stdout : null;
  if (opts.json) return printJson({ pr, ...(diff === null ? {} : { diff }) });
  const stat = (await git(["diff", "--stat", "--no-ext-diff", ...range], { cwd: ctx.paths.repoRoot, allowFailure: true })).stdout.trimEnd();
  const lines = [
    `PR #${pr.number}  ${style.bold(pr.title)}`,
    `  state      ${pr.state}${pr.merge ? ` as ${pr.merge.mergedSha.slice(0, 12)}${pr.merge.rebased ? " (rebased)" : ""}` : ""}${pr.closedReason ? ` (${pr.closedReason})` : ""}`,
    `  branch     ${pr.headBranch} (${pr.headSha.slice(0, 12)}) -> ${pr.baseBranch} (made on ${pr.baseSha.slice(0, 12)})`,
    `  risk       ${pr.risk}    scope: ${pr.scope.join(" ")}`,
    `  checks     ${pr.checks.state} on ${pr.checks.sha.slice(0, 12)}${pr.checks.results.map((c) => `\n               ${c.exitCode === 0 ? "ok  " : "FAIL"} ${c.name} (${c.durationMs} ms)`).join("")}`,
    `  job        ${pr.jobId}${pr.mergeJobId ? `    merge job: ${pr.mergeJobId}` : ""}`,
    ...(PROVIDERS.find((p) => p.id === pr.provider)?.remote ? [`  ${pr.provider.padEnd(10)} ${pr.remote ? `#${pr.remote.number} ${pr.remote.url} (pushed ${pr.remote.pushedSha.slice(0, 12)})` : "not published yet"}`] : []),
    ...reviewSummary(pr),
    ...(pr.state === "open" ? gateLines(await ctx.client.call(routes.prGate, { params: { number: pr.number } })) : []),
    ...(pr.lastMergeFailure && pr.state === "open" ? [`  last merge ${pr.lastMergeFailure}`] : []),
    `  created    ${new Date(pr.createdAt).toISOString()} by ${pr.createdBy}`,
    ...(pr.body ? ["", ...pr.body.split("\n").map((l) => `  ${l}`)] : []),
    "",
    stat,
  ];
  process.stdout.write(`${lines.join("\n")}\n${diff ? `\n${diff}` : ""}`);
}

function gateLines(gate: GateResult): string[] {
  if (gate.ok) return [`  gate       ${style.green("open")}: pushpals pr merge <n> merges it`];
  return [`  gate       waiting for:`, ...gate.missing.map((m) => `               - ${m}`)];
}

async function mergePr(ctx: CliContext, number: number, opts: { wait: boolean; json?: boolean }): Promise<void> {
  // A merge right after `run` must not race the ReviewAgent: its verdict is part of the gate.
  const pr = await waitForReview(ctx, number);
  if (pr.state !== "open") throw new PushpalsError("conflict", `PR #${number} is ${pr.state}`, { hint: "only an open PR can be merged" });
  const config = ctx.config();
  const input = mergeInputFor(pr, checksSnapshot(config));
  const body = { kind: "merge", input, dedupeKey: mergeDedupeKey(pr), priority: 10, maxAttempts: config.jobs.max_attempts };
  const data = await ctx.client.call(routes.enqueueJob, { body });
  const jobId = data.job.id;
  if (!opts.wait) {
    if (opts.json) return printJson(data);
    return void process.stdout.write(`${data.deduped ? "already merging" : "merging"} PR #${number}: job ${jobId}\n  follow it: pushpals logs ${jobId} -f\n`);
  }
  if (!opts.json) process.stdout.write(`merging PR #${number} into ${pr.baseBranch}: job ${jobId}\n`);
  await follow(ctx, jobId, !opts.json);
  const final = await ctx.client.call(routes.getJob, { params: { id: jobId } });
  const merged = await getPr(ctx, number);
  process.exitCode = merged.state === "merged" ? EXIT.ok : EXIT.failed;
  if (opts.json) return printJson({ ...final, pr: merged });
  if (merged.state !== "merged" || !merged.merge) return void process.stdout.write(`${jobDetail(final.job, final.transitions)}\n`);
  const m = merged.merge;
  if (m.previousBaseSha === null) {
    const where = merged.remote ? ` (${merged.remote.url})` : "";
    return void process.stdout.write(`${style.green(`merged PR #${number}`)} on GitHub${where} as ${m.mergedSha.slice(0, 12)}; fetch ${pr.baseBranch} to see it here\n`);
  }
  const previous = m.previousBaseSha;
  const lines = [`${style.green(`merged PR #${number}`)} into ${pr.baseBranch}: ${previous.slice(0, 12)} -> ${m.mergedSha.slice(0, 12)}${m.rebased ? " (rebased)" : ""}`];
  for (const dir of m.checkedOutAt) {
    lines.push(
      `  ${pr.baseBranch} is checked out in ${dir}: PushPals did not touch its files, so they still show ${previous.slice(0, 12)}.`,
      `  To bring them up to date (your own uncommitted edits are kept; git refuses if one would be overwritten):`,
      `    git -C ${shellQuote(dir)} read-tree -m -u ${previous} ${m.mergedSha}`,
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
