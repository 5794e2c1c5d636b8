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
  if (job.state === "succeeded") return resolveGreen(ctx, input.branch, input.commit, input.commands.map((c) => c.run), job.createdAt);
  if (job.state !== "failed" || job.failure?.class !== "checks_failed") return;
  const command = job.failure.evidence?.command;
  const check = input.commands.find((c) => c.run === command)?.name ?? "checks";
  const key = failingBuildKey(input.branch, check);
  upsertWorkItem(
    ctx,
    SERVER,
    {
      dedupeKey: key,
      source: "failing_build",
      type: "red_check",
      title: `${check} is red on ${input.branch}`,
      priority: 50,
      risk: "low",
      scope: [],
      labels: [],
      notes: job.failure.message,
      createdBy: SERVER,
      detail: { branch: input.branch, check, command: command ?? null, firstRedCommit: input.commit, lastRedCommit: input.commit, lastRedQueuedAt: job.createdAt, seen: 1, jobs: [job.id] },
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
    if (item.source !== "failing_build" || item.detail.branch !== branch) continue;
    if (typeof item.detail.command === "string" && !ran.includes(item.detail.command)) continue;
    if (Number(item.detail.lastRedQueuedAt ?? 0) > queuedAt) continue;
    moveWorkItem(ctx, SERVER, item, "done", `the checks of ${branch} passed at ${commit}`, { detail: { ...item.detail, greenCommit: commit } });
  }
}
