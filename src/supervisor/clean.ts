import { existsSync, readdirSync } from "node:fs";
import { verifyAudit } from "../audit/audit-log.ts";
import { Bus } from "../events/bus.ts";
import type { PushpalsEvent } from "../events/registry.ts";
import { ComponentService } from "../components/component-service.ts";
import { JobService } from "../jobs/job-service.ts";
import { ACTIVE_STATES } from "../jobs/states.ts";
import type { RuntimePaths } from "../runtime-dir/paths.ts";
import { removeJobWorktrees } from "../scm/worktree.ts";
import { checkoutPathsFor } from "../runtime-dir/unsandboxed-checkouts.ts";
import { SqliteStore } from "../store/sqlite-store.ts";

export interface CleanReport {
  cancelledJobs: number;
  keptBlocked: number;
  removedWorktrees: number;
  kept: string[];
}

/**
 * `start --clean`: resets the runtime's queue after a crash mess. Every queued, running or retrying
 * job is cancelled (with an audit entry, its history kept); blocked jobs wait on a person and stay;
 * job worktrees and the component registry are removed. The audit
 * log, job history, branches, commits and config are never touched. Run only while nothing is running.
 */
export async function cleanRuntime(paths: RuntimePaths, actor: string): Promise<CleanReport> {
  const store = new SqliteStore(paths.dbPath);
  try {
    const jobs = new JobService(store, new Bus<PushpalsEvent>());
    let cancelledJobs = 0;
    // Blocked jobs wait on a person (a CTO directive, an approval): that is intent, not a mess.
    const keptBlocked = store.listJobs({ state: "blocked", limit: 100_000 }).length;
    for (const state of ACTIVE_STATES.filter((s) => s !== "blocked")) {
      for (const job of store.listJobs({ state, limit: 100_000 })) {
        if (state === "running") jobs.workerLost(job.workerId ?? "unknown", "runtime reset by start --clean");
        const current = store.getJob(job.id)!;
        if (current.state === "failed" || current.state === "cancelled") continue;
        if (current.state === "running") continue;
        jobs.cancel(job.id, actor, "runtime reset by `pushpals start --clean`");
        cancelledJobs++;
      }
    }
    new ComponentService(jobs).reset(actor);
    let removedWorktrees = 0;
    for (const where of [paths, checkoutPathsFor(paths, "off")]) {
      if (!existsSync(where.worktreesDir)) continue;
      for (const jobId of readdirSync(where.worktreesDir)) {
        await removeJobWorktrees(where, jobId).catch(() => {});
        removedWorktrees++;
      }
    }
    const verdict = verifyAudit(store);
    const total = Object.values(store.countJobsByState()).reduce((a, b) => a + b, 0);
    return {
      cancelledJobs,
      keptBlocked,
      removedWorktrees,
      kept: [
        `blocked jobs: ${keptBlocked} (waiting on a person, e.g. directives from \`pushpals ask\`)`,
        `audit log: ${verdict.entries} entries (${verdict.ok ? "chain verified" : `BROKEN at #${verdict.firstBad?.seq}: run pushpals audit verify`})`,
        `job history: ${total} jobs with their transitions and logs`,
        "git: every branch, commit and your working tree (never touched)",
        "config: .pushpals/config.toml and the local override",
      ],
    };
  } finally {
    store.close();
  }
}
