import type { Command } from "commander";
import { routes } from "../../api/routes.ts";
import { PushpalsError } from "../../core/errors.ts";
import { cliContext } from "../context.ts";
import { printJson, shortSha } from "../format.ts";
import { visible } from "../../core/safe-text.ts";
import { findPrOfJob, prNumber } from "../pr-lookup.ts";
import { shownHead } from "../shown-head.ts";

export async function runDecision(program: Command, decision: "approve" | "reject", pr: string, opts: { why?: string; head?: string; json?: boolean }): Promise<void> {
  const ctx = await cliContext(program.opts());
  const number = pr.startsWith("job_") ? (await findPrOfJob(ctx.client, pr))?.number : prNumber(pr);
  if (number === undefined) throw new PushpalsError("not_found", `job ${pr} has no PR`, { hint: "approve a PR by its number: pushpals prs" });
  const { pr: current } = await ctx.client.call(routes.getPr, { params: { number } });
  const head = shownHead(current, opts.head);
  const body = { head, ...(opts.why ? { reason: opts.why } : {}) };
  const data = await ctx.client.call(decision === "approve" ? routes.approvePr : routes.rejectPr, { params: { number }, body });
  if (opts.json) return printJson(data);
  // The name the server recorded (from the kernel's uid), which is the one that counts.
  const by = (decision === "approve" ? data.pr.approvals : data.pr.rejections).at(-1)?.by ?? ctx.actor;
  process.stdout.write(`${decision === "approve" ? "approved" : "rejected"} PR #${number} at ${shortSha(data.pr.headSha)} as ${visible(by)}\n`);
}


