import { JobFailure } from "../../core/job-failure.ts";
import type { PrProposal } from "../../prs/pr-types.ts";
import { git } from "../../scm/git.ts";
import type { ChecksAtBase } from "../common/checks-at-base.ts";
import { measureCode, measureDelta, type CodeMeasures } from "./code-measures.ts";
import { isTestSuitePath } from "./test-files.ts";

const MAX_MEASURED_BYTES = 2 * 1024 * 1024;

export interface RefactorPayoff {
  files: number;
  before: CodeMeasures;
  after: CodeMeasures;
  delta: CodeMeasures;
}

/**
 * A refactor's definition of done, in code: behaviour-preserving means the tests are not changed (no file of
 * the test suite in the change) and every configured check passes on the exact commit (proposeChange checked
 * that, so there must be checks); and the payoff is measured, on the committed blobs of the changed files at
 * the base and at the head (never the worktree a model's commands wrote; a file unreadable on one side
 * fails it): fewer lines, less complexity or
 * fewer duplicated lines, with neither complexity nor duplicates growing. Anything else opens no PR.
 */
export async function refactorPayoff(repoRoot: string, proposal: PrProposal, baseCommit: string, checks: ChecksAtBase): Promise<RefactorPayoff> {
  const tests = proposal.files.flatMap((f) => [f.path, f.oldPath ?? f.path]).filter(isTestSuitePath);
  if (tests.length > 0) {
    throw new JobFailure("policy_denied", `a refactor preserves behaviour, and its tests are the evidence: it may not change them, and it changes ${[...new Set(tests)].slice(0, 10).join(", ")}`, {
      paths: [...new Set(tests)].slice(0, 100),
      notRetryable: "a refactor changed its tests",
    });
  }
  if (checks.commands.length === 0) {
    throw new JobFailure("invalid_input", "no checks are configured, so nothing shows that the refactor preserves behaviour", { notRetryable: "no checks configured" });
  }
  const before: string[] = [];
  const after: string[] = [];
  const budget = { left: MAX_MEASURED_BYTES };
  for (const file of proposal.files) {
    const old = file.status === "added" ? null : await readText(repoRoot, baseCommit, file.oldPath ?? file.path, budget);
    const now = file.status === "deleted" ? null : await readText(repoRoot, proposal.headSha, file.path, budget);
    // A binary file on both sides is no code; text on one side only would measure half a file.
    if ((old === null || old.unreadable) && (now === null || now.unreadable)) continue;
    const unreadable = old?.unreadable ?? now?.unreadable;
    if (unreadable) {
      throw new JobFailure("policy_denied", `a refactor's payoff is measured on both sides of each changed file, and ${file.path} is ${unreadable} on one side`, { paths: [file.path], notRetryable: "a changed file cannot be measured" });
    }
    if (old && "text" in old) before.push(old.text);
    if (now && "text" in now) after.push(now.text);
  }
  const measuredBefore = measureCode(before);
  const measuredAfter = measureCode(after);
  const payoff = { files: proposal.files.length, before: measuredBefore, after: measuredAfter, delta: measureDelta(measuredBefore, measuredAfter) };
  const { delta } = payoff;
  const improved = delta.lines < 0 || delta.complexity < 0 || delta.duplicates < 0;
  const worse = delta.complexity > 0 || delta.duplicates > 0;
  if (!improved || worse) {
    throw new JobFailure("no_change", `the refactor has no measurable payoff (${payoffText(payoff)}): a refactor must remove lines, complexity or duplicates, and add neither complexity nor duplicates`, {
      notRetryable: "no measurable payoff",
    });
  }
  return payoff;
}

/** One committed blob's text, or why it cannot be measured (binary, or past what is measured in all). */
async function readText(repoRoot: string, commit: string, path: string, budget: { left: number }): Promise<{ text: string; unreadable?: undefined } | { unreadable: string }> {
  const spec = `${commit}:${path}`;
  const size = await git(["cat-file", "-s", spec], { cwd: repoRoot, allowFailure: true });
  if (size.exitCode !== 0) return { unreadable: "not a file" };
  const bytes = Number(size.stdout.trim());
  if (bytes > budget.left) return { unreadable: `past the ${MAX_MEASURED_BYTES / 1024 / 1024} MiB a refactor is measured on (split it)` };
  budget.left -= bytes;
  const r = await git(["cat-file", "blob", spec], { cwd: repoRoot, allowFailure: true });
  if (r.exitCode !== 0) return { unreadable: "not a file" };
  if (r.stdout.includes("\u0000")) return { unreadable: "binary" };
  return { text: r.stdout };
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

export function payoffText(p: RefactorPayoff): string {
  const { before, after, delta } = p;
  return `lines ${before.lines} → ${after.lines} (${signed(delta.lines)}), complexity ${before.complexity} → ${after.complexity} (${signed(delta.complexity)}), duplicated lines ${before.duplicates} → ${after.duplicates} (${signed(delta.duplicates)})`;
}

/** The PR's payoff section. */
export function payoffNote(p: RefactorPayoff): string {
  return `Refactor, behaviour-preserving: no test changed, every configured check passes on the exact commit. Measured payoff over the ${p.files} changed file(s): ${payoffText(p)}.`;
}
