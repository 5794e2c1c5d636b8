import type { Command } from "commander";
import { routes } from "../../api/routes.ts";
import { PushpalsError } from "../../core/errors.ts";
import type { PrState, PullRequest } from "../../prs/pr-types.ts";
import { git } from "../../scm/git.ts";
import { cliContext, type CliContext } from "../context.ts";
import { EXIT } from "../../core/exit-codes.ts";
import { follow } from "../follow.ts";
import { prNumber } from "../pr-lookup.ts";
import { shownHead } from "../shown-head.ts";
import { reviewSummary, waitForReview } from "../review-wait.ts";
import type { GateResult } from "../../prs/merge-gate.ts";
import { age, jobDetail, printJson, shortSha, table } from "../format.ts";
import { visible, visibleLines } from "../../core/safe-text.ts";
import { style } from "../style.ts";
import { PROVIDERS } from "../../providers/registry.ts";

export async function runPrs(program: Command, opts: { state?: string; json?: boolean }): Promise<void> {
  const ctx = await cliContext(program.opts());
  // The state is the user's word as given: the server refuses an unknown one, naming the field.
  const data = await ctx.client.call(routes.listPrs, { query: { state: (opts.state || undefined) as PrState | undefined } });
  if (opts.json) return printJson(data);
  if (data.prs.length === 0) return void process.stdout.write("no pull requests\n");
  const rows = [["#", "STATE", "CHECKS", "RISK", "AGE", "BRANCH", "TITLE"]];
  for (const p of data.prs) rows.push([String(p.number), p.state, p.checks.state, riskLabel(p), age(p.createdAt), p.headBranch, p.title]);
  process.stdout.write(`${table(rows)}\n`);
}

export async function runPr(program: Command, first: string, second: string | undefined, opts: { diff?: boolean; why?: string; wait: boolean; json?: boolean }): Promise<void> {
  const ctx = await cliContext(program.opts());
  const action = second === undefined ? "show" : first;
  const number = prNumber(second ?? first);
  if (action === "show") return showPr(ctx, number, opts);
  if (action === "merge") return mergePr(ctx, number, opts);
  if (action === "close") {
    const data = await ctx.client.call(routes.closePr, { params: { number }, body: { ...(opts.why ? { reason: opts.why } : {}) } });
    if (opts.json) return printJson(data);
    return void process.stdout.write(`closed PR #${number}; its branch ${visible(data.pr.headBranch)} is kept\n`);
  }
  throw new PushpalsError("invalid_input", `unknown pr action "${action}"`, { field: "action", hint: "use: pushpals pr <n>, pushpals pr merge <n> or pushpals pr close <n>" });
}

/** The tier the review classified, which is what the gates use; the requester's declaration only beside it. */
export function riskLabel(pr: Pick<PullRequest, "risk" | "classification">): string {
  const tier = pr.classification?.tier;
  if (!tier) return `${pr.risk} (declared, not yet classified)`;
  return tier === pr.risk ? tier : `${tier} (declared ${pr.risk})`;
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
  const v = visible;
  const lines = [
    `PR #${pr.number}  ${style.bold(v(pr.title))}`,
    `  state      ${v(pr.state)}${pr.merge ? ` as ${shortSha(pr.merge.mergedSha)}${pr.merge.rebased ? " (rebased)" : ""}` : ""}${pr.closedReason ? ` (${v(pr.closedReason)})` : ""}`,
    `  branch     ${v(pr.headBranch)} (${shortSha(pr.headSha)}) -> ${v(pr.baseBranch)} (made on ${shortSha(pr.baseSha)})`,
    `  risk       ${v(riskLabel(pr))}${pr.classification?.reasons.length ? ` (${pr.classification.reasons.map((r) => v(r.rule)).join(", ")})` : ""}    scope: ${pr.scope.map(v).join(" ")}`,
    `  checks     ${v(pr.checks.state)} on ${shortSha(pr.checks.sha)}${pr.checks.baseRed ? ` (the base is red: ${pr.checks.baseRed.checks.map(v).join(", ")} fail on ${shortSha(pr.checks.baseRed.sha)} too)` : ""}${pr.checks.results.map((c) => `\n               ${c.exitCode === 0 ? "ok  " : c.waived ? "ok* " : "FAIL"} ${v(c.name)} (${c.durationMs} ms${testsNote(c)})`).join("")}`,
    `  job        ${v(pr.jobId)}${pr.mergeJobId ? `    merge job: ${v(pr.mergeJobId)}` : ""}`,
    ...(PROVIDERS.find((p) => p.id === pr.provider)?.remote ? [`  ${v(pr.provider).padEnd(10)} ${pr.remote ? `#${pr.remote.number} ${v(pr.remote.url)} (pushed ${shortSha(pr.remote.pushedSha)})` : "not published yet"}`] : []),
    ...reviewSummary(pr),
    ...(pr.state === "open" ? gateLines(await ctx.client.call(routes.prGate, { params: { number: pr.number } })) : []),
    // A decision binds to what was shown: these name this exact head, and are refused once it moves.
    ...(pr.state === "open" ? [`  decide     pushpals approve ${pr.number} --head ${shortSha(pr.headSha)}  |  pushpals reject ${pr.number} --head ${shortSha(pr.headSha)} --why "..."  |  pushpals pr merge ${pr.number} --head ${shortSha(pr.headSha)}`] : []),
    ...(pr.lastMergeFailure && pr.state === "open" ? [`  last merge ${v(pr.lastMergeFailure)}`] : []),
    `  created    ${new Date(pr.createdAt).toISOString()} by ${v(pr.createdBy)}`,
    // Every line of the body behind "  | ": no line of it can pass for one of the lines above.
    ...(pr.body ? ["", ...visibleLines(pr.body).map((l) => `  | ${l}`)] : []),
    "",
    visibleLines(stat).join("\n"),
  ];
  process.stdout.write(`${lines.join("\n")}\n${diff ? `\n${visibleLines(diff).join("\n")}` : ""}`);
}

function gateLines(gate: GateResult): string[] {
  if (gate.ok) return [`  gate       ${style.green("open")}: pushpals pr merge <n> merges it`];
  return [`  gate       waiting for:`, ...gate.missing.map((m) => `               - ${visible(m)}`)];
}

async function mergePr(ctx: CliContext, number: number, opts: { wait: boolean; head?: string; json?: boolean }): Promise<void> {
  // A merge right after `run` must not race the ReviewAgent: its verdict is part of the gate.
  const pr = await waitForReview(ctx, number);
  if (pr.state !== "open") throw new PushpalsError("conflict", `PR #${number} is ${pr.state}`, { hint: "only an open PR can be merged" });
  const data = await ctx.client.call(routes.mergePr, { params: { number }, body: { head: shownHead(pr, opts.head) } });
  const jobId = data.job.id;
  if (!opts.wait) {
    if (opts.json) return printJson(data);
    return void process.stdout.write(`${data.deduped ? "already merging" : "merging"} PR #${number}: job ${visible(jobId)}\n  follow it: pushpals logs ${visible(jobId)} -f\n`);
  }
  if (!opts.json) process.stdout.write(`merging PR #${number} at ${shortSha(pr.headSha)} into ${visible(pr.baseBranch)}: job ${visible(jobId)}\n`);
  await follow(ctx, jobId, !opts.json);
  const final = await ctx.client.call(routes.getJob, { params: { id: jobId } });
  const merged = await getPr(ctx, number);
  process.exitCode = merged.state === "merged" ? EXIT.ok : EXIT.failed;
  if (opts.json) return printJson({ ...final, pr: merged });
  if (merged.state !== "merged" || !merged.merge) return void process.stdout.write(`${jobDetail(final.job, final.transitions)}\n`);
  const m = merged.merge;
  if (m.previousBaseSha === null) {
    const where = merged.remote ? ` (${visible(merged.remote.url)})` : "";
    return void process.stdout.write(`${style.green(`merged PR #${number}`)} on GitHub${where} as ${shortSha(m.mergedSha)}; fetch ${visible(pr.baseBranch)} to see it here\n`);
  }
  const previous = m.previousBaseSha;
  const base = visible(pr.baseBranch);
  const lines = [`${style.green(`merged PR #${number}`)} into ${base}: ${shortSha(previous)} -> ${shortSha(m.mergedSha)}${m.rebased ? " (rebased)" : ""}`];
  for (const dir of m.checkedOutAt) {
    lines.push(
      `  ${base} is checked out in ${visible(dir)}: PushPals did not touch its files, so they still show ${shortSha(previous)}.`,
      `  To bring them up to date (your own uncommitted edits are kept; git refuses if one would be overwritten):`,
      `    git -C ${visible(shellQuote(dir))} read-tree -m -u ${visible(previous)} ${visible(m.mergedSha)}`,
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/** A check's tests, when its report was read: how many, and the quarantined failures that did not fail it. */
function testsNote(check: { tests?: { totals: { passed: number; failed: number; errored: number; skipped: number }; quarantined: string[] }; reportError?: string }): string {
  if (check.reportError) return "; no test report";
  if (!check.tests) return "";
  const { passed, failed, errored } = check.tests.totals;
  const quarantined = check.tests.quarantined.length;
  return `; ${passed + failed + errored} tests, ${failed + errored} failed${quarantined ? `, ${quarantined} quarantined` : ""}`;
}
