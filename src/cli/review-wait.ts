import { PushpalsError } from "../core/errors.ts";
import { routes } from "../api/routes.ts";
import type { PullRequest } from "../prs/pr-types.ts";
import type { CliContext } from "./context.ts";
import { shortSha } from "./format.ts";
import { visible } from "../core/safe-text.ts";

/**
 * Waits (bounded) for the ReviewAgent's verdict on the PR's current head, so `run` can say what the
 * review found and `pr merge` does not race it. The verdict arrives as a PR update; this polls it.
 */
export async function waitForReview(ctx: CliContext, number: number, timeoutMs = 120_000): Promise<PullRequest> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { pr } = await ctx.client.call(routes.getPr, { params: { number } });
    if (pr.review?.headSha === pr.headSha || pr.state !== "open") return pr;
    if (Date.now() > deadline) {
      throw new PushpalsError("conflict", `PR #${number} has no review yet after ${Math.round(timeoutMs / 1000)}s`, {
        hint: "is the ReviewAgent running? `pushpals status` lists it; its review job shows in `pushpals jobs`",
      });
    }
    await Bun.sleep(100);
  }
}

/** One line per finding and reason, for people; every value is made visible (a finding quotes repository text). */
export function reviewSummary(pr: PullRequest): string[] {
  const v = visible;
  const lines: string[] = [];
  if (pr.classification) {
    lines.push(`  risk       ${v(pr.classification.tier)}${pr.classification.reasons.length ? `: ${pr.classification.reasons.map((r) => v(r.rule)).join(", ")}` : ""}`);
  }
  if (pr.review) {
    lines.push(`  review     ${v(pr.review.decision)} on ${shortSha(pr.review.headSha)} (${pr.review.findings.length} finding(s))`);
    for (const f of pr.review.findings) lines.push(`               ${v(f.severity)} ${v(f.rule)}${f.file ? ` ${v(f.file)}${f.line ? `:${f.line}` : ""}` : ""}: ${v(f.message)}`);
  }
  for (const a of pr.approvals ?? []) lines.push(`  approved   by ${v(a.by)} on ${shortSha(a.headSha)}${a.headSha === pr.headSha ? "" : " (void: older head)"}${a.why ? `: ${v(a.why)}` : ""}`);
  for (const r of pr.rejections ?? []) lines.push(`  rejected   by ${v(r.by)} on ${shortSha(r.headSha)}${r.why ? `: ${v(r.why)}` : ""}`);
  return lines;
}
