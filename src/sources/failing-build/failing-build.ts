import type { WriteContext } from "../../jobs/transition.ts";
import type { Job } from "../../store/jobs/job-rows.ts";
import { moveWorkItem, upsertWorkItem, workItems } from "../../planning/work-items.ts";

interface BranchChecks {
  commit: string;
  branch?: string;
  commands: { name: string; run: string }[];
}

const SERVER = "server";

/** `failing_build:<branch>:<check>`: one item per red check of a branch, whatever commit it was seen on. */
export function failingBuildKey(branch: string, check: string): string {
  return `failing_build:${branch}:${check}`;
}

/**
 * A `checks` job of a branch's commit reached an end: a check that failed (`checks_failed`) is a
 * failing-build item naming the check and the first red commit seen; a later pass of the branch
 * resolves that branch's open failing-build items. Runs in the job's transition transaction.
 */
export function recordBranchChecks(ctx: WriteContext, job: Job): void {
  const input = job.input as BranchChecks;
  if (!input.branch) return;
  if (job.state === "succeeded") {
    rememberGreen(ctx, input.branch, input.commit, input.commands.map((c) => c.run), job.createdAt);
    return resolveGreen(ctx, input.branch, input.commit, input.commands.map((c) => c.run), job.createdAt);
  }
  const cause = job.state === "failed" ? redCause(job.failure) : null;
  if (!cause || !job.failure) return;
  const command = job.failure.evidence?.command;
  const check = cause === "lockfile_out_of_sync" ? "install" : (input.commands.find((c) => c.run === command)?.name ?? "checks");
  const lastGreen = greenBefore(ctx, input.branch, command ?? null);
  const key = failingBuildKey(input.branch, check);
  upsertWorkItem(
    ctx,
    SERVER,
    {
      dedupeKey: key,
      source: "failing_build",
      type: "red_check",
      title: cause === "lockfile_out_of_sync" ? `the lockfile is out of sync on ${input.branch}` : cause === "timeout" ? `${check} runs past its time limit on ${input.branch}` : `${check} is red on ${input.branch}`,
      priority: 50,
      risk: "low",
      scope: [],
      labels: [],
      notes: job.failure.message,
      createdBy: SERVER,
      detail: {
        branch: input.branch,
        check,
        command: cause === "lockfile_out_of_sync" ? null : (command ?? null),
        // checks_failed: a check failed; timeout: it ran past its time; lockfile_out_of_sync: the frozen install refused.
        cause,
        firstRedCommit: input.commit,
        lastRedCommit: input.commit,
        lastRedQueuedAt: job.createdAt,
        lastGreenCommit: lastGreen,
        // The red run's failed tests, when its report was read (recorded while it ran): a rerun passing them is a flake.
        failedTests: cause === "checks_failed" ? ctx.store.failedTestsOfJob(job.id, check, 200) : null,
        seen: 1,
        jobs: [job.id],
      },
    },
    (existing) => {
      const jobs = (existing.detail.jobs as string[] | undefined) ?? [];
      if (jobs.includes(job.id)) return existing;
      const newer = job.createdAt >= Number(existing.detail.lastRedQueuedAt ?? 0);
      const last = newer ? { lastRedCommit: input.commit, lastRedQueuedAt: job.createdAt } : {};
      return { ...existing, detail: { ...existing.detail, ...last, seen: Number(existing.detail.seen ?? 1) + 1, jobs: [...jobs, job.id].slice(-20) } };
    },
  );
}

/**
 * Only checks that ran the red check's own command resolve it (a client chooses the commands it
 * runs), and only checks queued after the last red one: an older head's green that finishes late
 * says nothing of the newer head that is red.
 */
function resolveGreen(ctx: WriteContext, branch: string, commit: string, ran: string[], queuedAt: number): void {
  const open = workItems(ctx.store).listWorkItems({ states: ["open", "blocked"], limit: 1000 });
  for (const item of open) {
    // Only red checks: a quarantined test passing again (the same source) is not resolved by a green run.
    if (item.source !== "failing_build" || item.type !== "red_check" || item.detail.branch !== branch) continue;
    if (typeof item.detail.command === "string" && !ran.includes(item.detail.command)) continue;
    if (Number(item.detail.lastRedQueuedAt ?? 0) > queuedAt) continue;
    moveWorkItem(ctx, SERVER, item, "done", `the checks of ${branch} passed at ${commit}`, { detail: { ...item.detail, greenCommit: commit } });
  }
}

type RedCause = "checks_failed" | "timeout" | "lockfile_out_of_sync";

/** What makes a branch's checks a failing build: a failed check, one that ran past its time, or a lockfile its frozen install refuses. */
function redCause(failure: Job["failure"]): RedCause | null {
  if (!failure) return null;
  if (failure.class === "checks_failed" || failure.class === "timeout") return failure.class;
  if (failure.class === "environment" && /out of sync/.test(failure.evidence?.notRetryable ?? "")) return "lockfile_out_of_sync";
  return null;
}

const GREEN_KEY = (branch: string, command: string) => `last_green:${branch}:${command}`;

/** The newest (by queue time) commit of `branch` each command passed on: where a bisection of a later red starts. */
function rememberGreen(ctx: WriteContext, branch: string, commit: string, commands: string[], queuedAt: number): void {
  for (const command of commands) {
    const key = GREEN_KEY(branch, command);
    const known = parseGreen(ctx.store.getMeta(key));
    if (known && known.queuedAt > queuedAt) continue;
    ctx.store.setMeta(key, JSON.stringify({ commit, queuedAt }));
  }
}

function greenBefore(ctx: WriteContext, branch: string, command: string | null): string | null {
  return command ? (parseGreen(ctx.store.getMeta(GREEN_KEY(branch, command)))?.commit ?? null) : null;
}

function parseGreen(raw: string | null): { commit: string; queuedAt: number } | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as { commit?: unknown; queuedAt?: unknown };
    return typeof value.commit === "string" && /^[0-9a-f]{40}$/.test(value.commit) && typeof value.queuedAt === "number" ? { commit: value.commit, queuedAt: value.queuedAt } : null;
  } catch {
    return null;
  }
}
