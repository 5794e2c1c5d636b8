import { lstatSync, mkdirSync, realpathSync, rmSync, writeFileSync, type Stats } from "node:fs";
import { join } from "node:path";
import { isPushpalsError } from "../../core/errors.ts";
import { JobFailure, JobParked } from "../../core/job-failure.ts";
import { maxTier } from "../../core/risk-tier.ts";
import { removeCheckout } from "../../scm/worktree.ts";
import { addEntries, removeEntries } from "../../test-quarantine/edit-quarantine.ts";
import { MAX_QUARANTINE_BYTES, quarantineTextAt } from "../../test-quarantine/quarantine-at.ts";
import { QUARANTINE_FILE } from "../../test-quarantine/quarantine-entry.ts";
import { evidenceProblems } from "../../test-quarantine/quarantine-evidence.ts";
import { checksAtBase } from "../common/checks-at-base.ts";
import type { JobContext } from "../common/job-context.ts";
import { jobCheckout } from "../common/job-worktree.ts";
import { proposeChange } from "../common/propose-change.ts";
import type { QuarantineInput, QuarantineResult } from "./quarantine-input.ts";
import { quarantinePrBody, quarantinePrTitle } from "./quarantine-pr-body.ts";

/**
 * `quarantine`: the file as committed at the base commit (read with git, never from a checkout), edited by
 * the host (entries removed, then added, everything else kept byte for byte), written into a fresh
 * checkout of that commit, then the same path as any change: the scoped commit (the file alone), the
 * checks on that exact commit, the PR proposal. Nothing in the repository runs before the checks.
 */
export async function proposeQuarantine(input: QuarantineInput, ctx: JobContext): Promise<QuarantineResult> {
  const repo = ctx.paths.repoRoot;
  const weak = input.add.flatMap((e) => evidenceProblems(e).map((p) => `${e.id}: ${p}`));
  if (weak.length > 0) throw new JobFailure("invalid_input", `no quarantine without flaky evidence: ${weak.join("; ")}`.slice(0, 4000));
  const committed = await quarantineTextAt(repo, input.baseCommit);
  if (committed.problem) throw new JobFailure("invalid_input", `${committed.problem}; fix it by hand first`, { command: `git show ${input.baseCommit}:${QUARANTINE_FILE}` });
  const text = edited(committed.text, input);
  if (Buffer.byteLength(text) > MAX_QUARANTINE_BYTES) throw new JobFailure("invalid_input", `${QUARANTINE_FILE} would be over ${MAX_QUARANTINE_BYTES} bytes`);
  const checks = await checksAtBase(repo, input.baseCommit);
  const checkout = await jobCheckout(ctx, input.baseCommit);
  try {
    await ctx.progress({ step: "quarantine" }).catch(() => {});
    writeQuarantine(checkout.dir, text);
    ctx.log("system", `${QUARANTINE_FILE}: +${input.add.length} -${input.remove.length} entr${input.add.length + input.remove.length === 1 ? "y" : "ies"} on ${input.baseBranch} at ${input.baseCommit.slice(0, 12)}`);
    if (await ctx.isPaused()) throw new JobParked("paused before the commit; the job runs again with `pushpals resume`");
    const title = quarantinePrTitle(input);
    const body = quarantinePrBody(input);
    const pr = await proposeChange(ctx, checkout, {
      title,
      body,
      message: `${title}\n\n${body}`,
      scope: [QUARANTINE_FILE],
      maxFileBytes: MAX_QUARANTINE_BYTES,
      // Whatever was declared, a quarantine is Medium at least (the classifier says so too).
      risk: maxTier(input.risk, "medium"),
      role: input.role,
      baseBranch: input.baseBranch,
      baseCommit: input.baseCommit,
      rfcFor: null,
      rfc: input.rfc,
      updatePr: null,
      checks,
      trailers: { "PushPals-Quarantine": `+${input.add.length} -${input.remove.length}` },
    });
    return { pr };
  } finally {
    removeCheckout(checkout);
  }
}

/** The committed text with the removals, then the additions; an edit the file refuses fails the job as its input's fault. */
function edited(text: string | null, input: QuarantineInput): string {
  try {
    const removed = input.remove.length > 0 ? removeEntries(text ?? "", input.remove.map((r) => r.id)) : text;
    return addEntries(removed, input.add);
  } catch (err) {
    if (!isPushpalsError(err, "invalid_input")) throw err;
    throw new JobFailure("invalid_input", err.message, { command: `git show ${input.baseCommit}:${QUARANTINE_FILE}` });
  }
}

/**
 * Writes the file into the fresh checkout: `.pushpals` must be the commit's own folder (created when the
 * commit has none), never a link; an existing file is replaced, never written through.
 */
function writeQuarantine(dir: string, text: string): void {
  const root = realpathSync(dir);
  const folder = join(root, ".pushpals");
  const kind = lstatOrNull(folder);
  if (kind === null) mkdirSync(folder, { mode: 0o755 });
  else if (!kind.isDirectory()) throw new JobFailure("policy_denied", `.pushpals in ${dir} is not a folder (a link or a file): ${QUARANTINE_FILE} is not written`);
  const path = join(folder, "quarantine.toml");
  const existing = lstatOrNull(path);
  if (existing !== null) {
    if (!existing.isFile()) throw new JobFailure("policy_denied", `${QUARANTINE_FILE} is not a regular file in the checkout: not written`);
    rmSync(path, { force: true });
  }
  // wx: whatever appears between the removal and the write makes it fail, never followed.
  writeFileSync(path, text, { flag: "wx", mode: 0o644 });
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}
