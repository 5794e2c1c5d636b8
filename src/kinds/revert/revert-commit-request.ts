import { PushpalsError } from "../../core/errors.ts";
import type { RiskTier } from "../../core/risk-tier.ts";
import type { JobService } from "../../jobs/job-service.ts";
import type { WriteContext } from "../../jobs/transition.ts";
import { pullRequests } from "../../prs/pr-store.ts";
import type { PullRequest } from "../../prs/pr-types.ts";
import { isAncestor } from "../../scm/branches.ts";
import { parseRawDiff } from "../../scm/changes.ts";
import { commitInfo } from "../../scm/commit-info.ts";
import { git } from "../../scm/git.ts";
import { redactText } from "../../secrets/redact.ts";
import type { Job } from "../../store/jobs/job-rows.ts";
import type { RevertInput } from "./revert-input.ts";
import { literalGlob } from "./revert-request.ts";

/** The role a revert gets when the server names none: a person's change's (`pushpals run`'s default). */
const ORDINARY_ROLE = "codemod";
const MAX_SCOPE = 64;
const MAX_GLOB = 512;
const MAX_TITLE = 200;
/** Rows of the steps table: a bisect makes at most 13 runs. */
const MAX_ROWS = 16;

/** One revert of a commit at a time: asking again finds the same job. */
export function commitRevertDedupeKey(commit: string): string {
  return `revert:commit:${commit}`;
}

/**
 * The evidence a culprit's revert carries in its PR: a `bisect` job's result and id, read structurally
 * (a kind never imports another kind; the server passes the bisect job's stored result as it is).
 */
export interface BisectEvidence {
  jobId: string;
  check: string;
  good: string;
  bad: string;
  candidates: number;
  testId: string | null;
  steps: readonly { commit: string; kind: string; outcome: string; exitCode: number | null; signal: string | null; durationMs: number; testStatus: string | null }[];
}

export interface CommitRevertRequest {
  /** The commit to undo: a `found` bisect's `culprit`. */
  culprit: string;
  bisect: BisectEvidence;
  /** The branch the revert goes to (the bisected one) and its head now: the revert is made on it. */
  baseBranch: string;
  baseCommit: string;
  /** Default `medium`: undoing someone's commit, unasked, is more than a formatting change. */
  risk?: RiskTier;
  /** Default the ordinary role; the CI Medic's when it asks. */
  role?: string;
}

/** What host git says of a culprit: the revert's facts, read by the bisect that found it or here. */
export interface CulpritFacts {
  culprit: string;
  parents: readonly string[];
  /** The paths it changed against its first parent (both sides of a rename). */
  paths: readonly string[];
  subject: string;
  author: string;
}

/**
 * The `revert` job's input for a culprit bisect found, from the repository and the bisect's result only:
 * refused when the commit is not on the base branch at `baseCommit`, is a root commit, or changes nothing.
 * A merge commit is reverted against its first parent (`-m 1`): what it brought into the line bisect searched.
 */
export async function commitRevertInputFor(repoRoot: string, request: CommitRevertRequest): Promise<RevertInput> {
  const { culprit, baseBranch, baseCommit } = request;
  const info = await commitInfo(repoRoot, culprit);
  if (!info) throw new PushpalsError("not_found", `no commit ${culprit.slice(0, 12)} in this repository`, { details: { reason: "no_commit" } });
  const parent = info.parents[0];
  if (parent && !(await isAncestor(repoRoot, culprit, baseCommit))) {
    throw new PushpalsError("conflict", `${culprit.slice(0, 12)} is not on ${baseBranch} at ${baseCommit.slice(0, 12)}: there is nothing of it there to revert`, {
      hint: `look at ${baseBranch}'s history (git log ${baseBranch}): it was moved outside PushPals`,
      details: { reason: "not_on_base" },
    });
  }
  const files = parent ? parseRawDiff((await git(["diff", "--raw", "-z", "--no-abbrev", "-M", parent, culprit], { cwd: repoRoot, timeoutMs: 120_000 })).stdout) : [];
  const paths = [...new Set(files.flatMap((f) => (f.oldPath ? [f.path, f.oldPath] : [f.path])))];
  return commitRevertInputOf({ culprit, parents: info.parents, paths, subject: info.subject, author: info.author }, request);
}

/**
 * The same input from facts already read (the bisect job's result; the revert's worker checks them again
 * with git: the parent is the culprit's, the culprit is on the base). Refused for a root commit or one
 * that changes nothing.
 */
export function commitRevertInputOf(facts: CulpritFacts, request: CommitRevertRequest): RevertInput {
  const { culprit, bisect, baseBranch, baseCommit } = request;
  const parent = facts.parents[0];
  if (!parent) {
    throw new PushpalsError("invalid_input", `${culprit.slice(0, 12)} is the repository's first commit: reverting it would remove everything`, { hint: "fix the check by hand", details: { reason: "root_commit" } });
  }
  if (facts.paths.length === 0) throw new PushpalsError("invalid_input", `${culprit.slice(0, 12)} changes no file against its first parent: reverting it would change nothing`, { details: { reason: "no_change" } });
  const merge = facts.parents.length > 1;
  // A commit's subject and author are anyone's text: redacted before they reach a PR, a log or the audit.
  const subject = redactText(facts.subject).slice(0, 300) || culprit.slice(0, 12);
  const author = redactText(facts.author).slice(0, 200);
  return {
    prNumber: null,
    mergedSha: culprit,
    previousBaseSha: parent,
    title: revertTitle(subject, bisect.check),
    body: revertBody({ culprit, subject, author, merge, baseBranch, baseCommit, bisect }),
    baseBranch,
    baseCommit,
    scope: commitScope(facts.paths, culprit),
    risk: request.risk ?? "medium",
    role: request.role ?? ORDINARY_ROLE,
    rfc: null,
    culprit: { check: bisect.check, bisectJobId: bisect.jobId },
  };
}

/** `Revert <subject> (broke <check>)`, within a title's 200 characters (the subject is cut, never the check). */
export function revertTitle(subject: string, check: string): string {
  const tail = ` (broke ${check})`;
  const room = MAX_TITLE - "Revert ".length - tail.length;
  const cut = subject.length > room ? `${subject.slice(0, room - 1)}…` : subject;
  return `Revert ${cut}${tail}`;
}

/**
 * The files the commit changed, literally (both sides of a rename); more than a scope holds, their
 * top-level folders (`dir/**`) and root files; still more is refused.
 */
export function commitScope(paths: readonly string[], culprit: string): string[] {
  const literal = paths.map(literalGlob);
  if (literal.length <= MAX_SCOPE && literal.every((p) => p.length <= MAX_GLOB)) return literal;
  const folders = [...new Set(paths.map((p) => (p.includes("/") ? `${literalGlob(p.slice(0, p.indexOf("/")))}/**` : literalGlob(p))))];
  if (folders.length <= MAX_SCOPE && folders.every((p) => p.length <= MAX_GLOB)) return folders;
  throw new PushpalsError("invalid_input", `${culprit.slice(0, 12)} changes ${paths.length} files in ${folders.length} top-level places, more than a revert's scope holds (${MAX_SCOPE})`, {
    hint: "revert it by hand: git revert <commit>",
    details: { reason: "scope_too_large" },
  });
}

/** A table cell: one line, no column break, bounded. */
function cell(text: string): string {
  return text.replace(/[\r\n]+/g, " ").replace(/\|/g, "\\|").slice(0, 200);
}

/** The PR's body: what is undone and why, with every step of the bisect as its evidence. */
export function revertBody(args: { culprit: string; subject: string; author: string; merge: boolean; baseBranch: string; baseCommit: string; bisect: BisectEvidence }): string {
  const { culprit, subject, author, merge, baseBranch, baseCommit, bisect } = args;
  const judged = bisect.testId ? `by the test ${JSON.stringify(bisect.testId)} (its exit code where no report was read)` : "by its exit code";
  const rows = bisect.steps.slice(0, MAX_ROWS).map((s, i) => {
    const exit = s.exitCode !== null ? String(s.exitCode) : s.signal ? cell(s.signal) : "did not run";
    return `| ${s.kind === "confirm" ? "confirm" : String(i)} | \`${s.commit.slice(0, 12)}\` | ${cell(s.outcome)} | ${exit} | ${s.testStatus ? cell(s.testStatus) : "-"} | ${s.durationMs} ms |`;
  });
  const how = merge
    ? `undone with \`git revert --no-commit -m 1 ${culprit}\` (a merge commit: what it brought into ${baseBranch}, against its first parent)`
    : `undone with \`git revert --no-commit ${culprit}\``;
  return [
    `Reverts ${culprit} (${JSON.stringify(subject)}, by ${author}): bisect job ${bisect.jobId} found it is the first commit on ${baseBranch}'s first-parent line where the check \`${bisect.check}\` fails.`,
    `Searched ${bisect.candidates} commit(s) after ${bisect.good} (the last where it passed) up to ${bisect.bad}, each step a fresh checkout judged ${judged}:`,
    ["| step | commit | outcome | exit | test | time |", "| --- | --- | --- | --- | --- | --- |", ...rows].join("\n"),
    `${how.charAt(0).toUpperCase()}${how.slice(1)} on ${baseBranch} at ${baseCommit}. Its checks run on the exact revert commit; if \`${bisect.check}\` still fails there, the culprit is elsewhere and this PR should be closed.`,
  ].join("\n\n");
}

/**
 * The `revert` job of a bisect's culprit, in one transaction with its audit entry: asked again while it
 * runs or while its PR is open, the same job; once its revert merged, refused.
 */
export function requestCommitRevert(jobs: JobService, actor: string, input: RevertInput): { job: Job; deduped: boolean } {
  if (input.prNumber !== null || !input.culprit) throw new PushpalsError("internal", "requestCommitRevert takes a culprit's revert; a PR's is requestRevert", {});
  const key = commitRevertDedupeKey(input.mergedSha);
  return jobs.record((ctx) => {
    const active = ctx.store.findActiveJobByDedupeKey(key);
    if (active) return { job: active, deduped: true };
    const earlier = revertPrOfCommit(ctx, input.mergedSha);
    if (earlier?.state === "open") return { job: ctx.store.getJob(earlier.jobId)!, deduped: true };
    if (earlier?.state === "merged") {
      throw new PushpalsError("conflict", `${input.mergedSha.slice(0, 12)} is already reverted: its revert, PR #${earlier.number}, is merged`, {
        details: { reason: "already_reverted", revertPr: earlier.number },
      });
    }
    const queued = jobs.enqueueWithin(ctx, { kind: "revert", input, actor, dedupeKey: key, priority: 5 });
    ctx.audit(actor, "commit.revert_requested", `commit:${input.mergedSha}`, {
      jobId: queued.job.id,
      commit: input.mergedSha,
      parent: input.previousBaseSha,
      baseBranch: input.baseBranch,
      baseCommit: input.baseCommit,
      check: input.culprit!.check,
      bisectJobId: input.culprit!.bisectJobId,
      risk: input.risk,
      role: input.role,
    });
    return queued;
  });
}

/** The newest PR a revert of `commit` opened that is still open or merged (a closed one is given up). */
function revertPrOfCommit(ctx: WriteContext, commit: string): PullRequest | null {
  const done = ctx.store.listJobs({ kind: "revert", state: "succeeded", limit: 1000, newest: true }).reverse();
  for (const job of done) {
    const input = job.input as { prNumber?: number | null; mergedSha?: string };
    if (input.prNumber !== null || input.mergedSha !== commit) continue;
    const pr = pullRequests(ctx.store).getPullRequestByJob(job.id);
    if (pr && pr.state !== "closed") return pr;
  }
  return null;
}
