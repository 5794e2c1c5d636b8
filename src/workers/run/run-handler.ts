import { rmSync } from "node:fs";
import { basename, join } from "node:path";
import { RunInput } from "../../jobs/kinds.ts";
import type { PrProposal } from "../../prs/pr-types.ts";
import { compareAndSwapBranch, keepCommit, publishJobBranch, resolveCommit } from "../../scm/branches.ts";
import { git } from "../../scm/git.ts";
import { commitWorktree } from "../../scm/commit.ts";
import { removeAttemptWorktree } from "../../scm/worktree.ts";
import { checkWorktree } from "../checks/check-worktree.ts";
import { prepareWorktreeDependencies } from "../deps/job-dependencies.ts";
import { JobFailure, JobParked } from "../../core/job-failure.ts";
import { type JobContext, type JobHandler } from "../handler.ts";
import { jobWorktree } from "../job-worktree.ts";
import { runCommand } from "../../sandbox/run-command.ts";
import { sandboxFor } from "../../sandbox/sandbox-for.ts";

const MANIFESTS = new Set(["package.json", "package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "yarn.lock", "bun.lock", "bun.lockb"]);

/**
 * `run`: a codemod job. The command runs in the sandbox in a worktree of the exact base commit; the
 * SCM commits what changed (write scope enforced before anything is staged), the job branch points at
 * that commit, the checks run on it, and the job's success opens the PR (in the same transaction).
 * The worktree is removed only once the commit is safely on a ref.
 */
export const runHandler: JobHandler = {
  kind: "run",
  async run(ctx) {
    const input = RunInput.parse(ctx.job.input);
    const start = input.updatePr?.headSha ?? input.baseCommit;
    const dir = await jobWorktree(ctx, start);
    try {
      await ctx.progress({ step: "dependencies" }).catch(() => {});
      await prepareWorktreeDependencies(ctx, dir, input.install);
      await ctx.progress({ step: "command" }).catch(() => {});
      await runTheCommand(ctx, dir, input);
      if (await ctx.isPaused()) throw new JobParked("paused after the command; the job runs again with `pushpals resume`");
      await ctx.progress({ step: "commit" }).catch(() => {});
      const committed = await commitWorktree(dir, {
        rules: { scope: input.scope, maxFileBytes: input.maxFileBytes },
        message: `${input.title}\n\n${input.body ? `${input.body}\n\n` : ""}Made by \`${input.command}\`.`,
        trailers: { "PushPals-Job": ctx.job.id, "PushPals-Risk": input.risk },
      });
      // A new PR's branch is written now; an open PR's branch moves only after the checks pass.
      const headBranch = input.updatePr ? input.updatePr.headBranch : await publishJobBranch(ctx.paths.repoRoot, ctx.job.id, committed.commit);
      const keptOn = input.updatePr ? await keepCommit(ctx.paths.repoRoot, ctx.job.id, committed.commit) : headBranch;
      ctx.log("system", `committed ${committed.files.length} file(s) as ${committed.commit.slice(0, 12)} (${keptOn})`);
      await ctx.progress({ step: "checks", commit: committed.commit }).catch(() => {});
      // A change to the manifest or a lockfile needs its own install; otherwise the one made for the command serves.
      const manifestChanged = committed.files.some((f) => MANIFESTS.has(basename(f.path)) || (f.oldPath !== undefined && MANIFESTS.has(basename(f.oldPath))));
      if (manifestChanged) rmSync(join(dir, "node_modules"), { recursive: true, force: true });
      const checks = await checkWorktree(ctx, dir, { commit: committed.commit, ...input.checks, install: input.install }, { keptOn, dependenciesReady: !manifestChanged });
      if (input.updatePr) await publishHead(ctx, input, committed.commit);
      const pr: PrProposal = {
        title: input.title,
        body: input.body,
        baseBranch: input.baseBranch,
        baseSha: input.baseCommit,
        headBranch,
        headSha: committed.commit,
        risk: input.risk,
        role: input.role,
        scope: input.scope,
        files: committed.files.map((f) => ({ path: f.path, status: f.status, ...(f.oldPath ? { oldPath: f.oldPath } : {}) })),
        checks,
        rfcFor: input.rfcFor,
        rfc: input.rfc,
      };
      return input.updatePr ? { pr, updates: input.updatePr.number } : { pr };
    } finally {
      await removeAttemptWorktree(ctx.paths, dir);
    }
  },
};

/** A new PR's branch is `pushpals/<job>`; an update moves the PR's branch from its head to the new commit, by CAS. */
async function publishHead(ctx: JobContext, input: RunInput, commit: string): Promise<string> {
  if (!input.updatePr) return publishJobBranch(ctx.paths.repoRoot, ctx.job.id, commit);
  const { headBranch, headSha, number } = input.updatePr;
  const reason = `pushpals: update PR #${number} (job ${ctx.job.id})`;
  if (await compareAndSwapBranch(ctx.paths.repoRoot, headBranch, commit, headSha, reason)) return headBranch;
  const now = await resolveCommit(ctx.paths.repoRoot, `refs/heads/${headBranch}`);
  if (now === commit) return headBranch;
  // An earlier attempt of this job moved the branch and died before reporting: replace its commit (kept).
  if (now && (await isEarlierAttempt(ctx, now, headSha))) {
    await keepCommit(ctx.paths.repoRoot, ctx.job.id, now);
    if (await compareAndSwapBranch(ctx.paths.repoRoot, headBranch, commit, now, reason)) return headBranch;
  }
  const kept = await keepCommit(ctx.paths.repoRoot, ctx.job.id, commit);
  throw new JobFailure("conflict", `PR #${number}'s branch ${headBranch} moved from ${headSha.slice(0, 12)} to ${now?.slice(0, 12) ?? "(deleted)"} while this job ran; its commit is kept as ${kept}`, {
    command: `git update-ref refs/heads/${headBranch} ${commit} ${headSha}`,
  });
}

async function isEarlierAttempt(ctx: JobContext, commit: string, parent: string): Promise<boolean> {
  const r = await git(["log", "-1", "--format=%P%n%B", commit], { cwd: ctx.paths.repoRoot, allowFailure: true });
  const [parents = "", ...body] = r.stdout.split("\n");
  return parents.trim() === parent && body.some((line) => line.trim() === `PushPals-Job: ${ctx.job.id}`);
}

async function runTheCommand(ctx: JobContext, dir: string, input: RunInput): Promise<void> {
  ctx.log("system", `$ ${input.command}`);
  const run = await runCommand(input.command, {
    cwd: dir,
    timeoutMs: input.commandTimeoutSeconds * 1000,
    signal: ctx.signal,
    env: { PUSHPALS_JOB_ID: ctx.job.id },
    onLine: (stream, line) => ctx.log(stream, line),
    sandbox: sandboxFor(ctx, dir, { network: ctx.sandbox.network.includes("run") }),
  });
  await ctx.recordCommand({ command: input.command, exitCode: run.exitCode, signal: run.signal, durationMs: run.durationMs }).catch(() => {});
  const evidence = { command: input.command, exitCode: run.exitCode, signal: run.signal, durationMs: run.durationMs, logExcerpt: run.tail.join("\n").slice(-16_000) };
  if (run.aborted) throw new JobFailure("cancelled", "stopped while the command ran", evidence);
  if (run.outputLimited) throw new JobFailure("invalid_input", "the command printed more than the output limit (sandbox.max_output_mb) and was stopped; nothing was committed", evidence);
  if (run.timedOut) throw new JobFailure("timeout", `the command ran past its ${input.commandTimeoutSeconds}s time limit`, evidence);
  if (run.exitCode !== 0) throw new JobFailure("invalid_input", `the command exited ${run.exitCode ?? run.signal}; nothing was committed`, evidence);
}
