import type { WriteContext } from "../../jobs/transition.ts";
import type { Job } from "../../store/jobs/job-rows.ts";
import { moveWorkItem, upsertWorkItem, workItems } from "../../planning/work-items.ts";

export const ONBOARDING_TYPE = "setup_fails";

const SERVER = "server";

export function onboardingKey(branch: string): string {
  return `onboarding:${branch}:setup`;
}

/**
 * A branch's `checks` job that could not even run its checks (`environment`: the install failed, a
 * tool is missing) is onboarding friction: what a new contributor hits in a fresh worktree. One item
 * per branch, naming the first commit seen; a later green of the branch (queued after) resolves it.
 */
export function recordOnboarding(ctx: WriteContext, job: Job): void {
  const input = job.input as { commit: string; branch?: string; install?: unknown; commands: { run: string }[] };
  if (!input.branch) return;
  const key = onboardingKey(input.branch);
  const setup = setupOf(input);
  if (job.state === "succeeded") {
    const item = workItems(ctx.store).getWorkItemByKey(key);
    if (!item || (item.state !== "open" && item.state !== "blocked") || Number(item.detail.lastQueuedAt ?? 0) > job.createdAt) return;
    // Only the same setup passing says it is fixed (a client's checks with no install, `true`, say nothing).
    if (item.detail.setup !== setup) return;
    moveWorkItem(ctx, SERVER, item, "done", `a fresh worktree of ${input.branch} was set up and checked at ${input.commit}`, { detail: { ...item.detail, greenCommit: input.commit } });
    return;
  }
  if (job.state !== "failed" || job.failure?.class !== "environment") return;
  const message = job.failure.message;
  const command = typeof job.failure.evidence?.command === "string" ? job.failure.evidence.command : null;
  upsertWorkItem(
    ctx,
    SERVER,
    {
      dedupeKey: key,
      source: "onboarding",
      type: ONBOARDING_TYPE,
      title: `a fresh worktree of ${input.branch} cannot be set up: ${message.split("\n")[0]!}`.slice(0, 300),
      priority: 50,
      risk: null,
      scope: [],
      labels: [],
      notes: message.slice(0, 4000),
      createdBy: SERVER,
      detail: { branch: input.branch, command, setup, firstCommit: input.commit, lastCommit: input.commit, lastQueuedAt: job.createdAt, jobs: [job.id] },
    },
    (existing) => {
      const jobs = (existing.detail.jobs as string[] | undefined) ?? [];
      if (jobs.includes(job.id)) return existing;
      return { ...existing, notes: message.slice(0, 4000), detail: { ...existing.detail, lastCommit: input.commit, lastQueuedAt: Math.max(job.createdAt, Number(existing.detail.lastQueuedAt ?? 0)), jobs: [...jobs, job.id].slice(-20) } };
    },
  );
}

/** The install settings and check commands a checks job ran with, as one comparable string. */
function setupOf(input: { install?: unknown; commands: { run: string }[] }): string {
  return JSON.stringify({ install: input.install ?? null, commands: input.commands.map((c) => c.run).sort() });
}
