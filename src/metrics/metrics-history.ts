import { pullRequests } from "../prs/pr-store.ts";
import type { PullRequest } from "../prs/pr-types.ts";
import type { AuditEntry } from "../store/audit/audit-chain.ts";
import type { Job, Transition } from "../store/jobs/job-rows.ts";
import type { PullRequestStore } from "../store/prs/pr-store.ts";
import type { ModelUsageDaySum } from "../store/model-exchanges/model-exchange-rows.ts";
import type { Store } from "../store/store.ts";
import { inWindow } from "./metrics-window.ts";

/** The store reads the metrics need (PRs through the prs domain's view of its documents); nothing here writes. */
export type MetricsStore = Pick<Store, "listJobs" | "transitionsOfJobsCreatedSince" | "getJob" | "auditOfActions" | "auditOfSubject" | "modelUsageByDay"> & PullRequestStore;

export interface JobRecord {
  job: Job;
  /** Oldest first. */
  transitions: Transition[];
}

export interface PrRecord {
  pr: PullRequest;
  /** Its `pr.opened` and `pr.updated` audit entries, oldest first: one per head it had. */
  heads: AuditEntry[];
}

/** The part of the stored history the metrics are computed from (see compute-metrics.ts). */
export interface MetricsHistory {
  /** The window's start; null: all history. */
  since: number | null;
  /** Jobs created in the window, with their transitions. */
  jobs: JobRecord[];
  /** PRs opened in the window, with their heads. */
  prs: PrRecord[];
  /** PRs a person approved in the window (an approval given in it), whenever they opened; by number. */
  approvedPrs: PullRequest[];
  /** Jobs the PRs' heads and merges name (whenever they were created), by id. */
  prJobs: Map<string, Job>;
  firstServerStart: AuditEntry | null;
  firstPrOpened: AuditEntry | null;
  /** `supervisor.online` entries of the runs started in the window, oldest first. */
  onlineRuns: AuditEntry[];
  /** The model exchanges recorded in the window, summed per UTC day, oldest first. */
  modelDays: ModelUsageDaySum[];
}

const PAGE = 1000;
export const HEAD_ACTIONS = ["pr.opened", "pr.updated"] as const;
export const ONLINE_ACTION = "supervisor.online";

/** Reads the history of the window starting at `since` (null: all of it). */
export function readHistory(store: MetricsStore, since: number | null): MetricsHistory {
  const transitions = new Map<string, Transition[]>();
  for (const t of store.transitionsOfJobsCreatedSince(since ?? Number.MIN_SAFE_INTEGER)) {
    const list = transitions.get(t.jobId);
    if (list) list.push(t);
    else transitions.set(t.jobId, [t]);
  }
  const jobs: JobRecord[] = [];
  for (let afterId: string | undefined; ; ) {
    const page = store.listJobs({ limit: PAGE, ...(afterId ? { afterId } : {}) });
    for (const job of page) if (inWindow(job.createdAt, since)) jobs.push({ job, transitions: transitions.get(job.id) ?? [] });
    if (page.length < PAGE) break;
    afterId = page.at(-1)!.id;
  }

  const allPrs = pullRequests(store)
    .listPullRequests({ limit: Number.MAX_SAFE_INTEGER })
    .sort((a, b) => a.number - b.number);
  const prs: PrRecord[] = allPrs.filter((pr) => inWindow(pr.createdAt, since)).map((pr) => ({ pr, heads: store.auditOfSubject(`pr#${pr.number}`, HEAD_ACTIONS) }));
  // A person's later approval replaces their earlier one on the record, never with an older time: the newest approval says.
  const approvedPrs = allPrs.filter((pr) => (pr.approvals ?? []).some((a) => inWindow(a.at, since)));
  const prJobs = new Map<string, Job>();
  const known = new Map(jobs.map((r) => [r.job.id, r.job]));
  for (const { pr, heads } of prs) {
    for (const id of [...heads.map(headJobId), pr.mergeJobId]) {
      if (!id || prJobs.has(id)) continue;
      const job = known.get(id) ?? store.getJob(id);
      if (job) prJobs.set(id, job);
    }
  }

  const onlineRuns: AuditEntry[] = [];
  for (let after = 0; ; ) {
    const page = store.auditOfActions([ONLINE_ACTION], after, PAGE);
    for (const entry of page) if (inWindow(onlineData(entry)?.startedAt ?? entry.at, since)) onlineRuns.push(entry);
    if (page.length < PAGE) break;
    after = page.at(-1)!.seq;
  }

  return {
    since,
    jobs,
    prs,
    approvedPrs,
    prJobs,
    firstServerStart: store.auditOfActions(["server.started"], 0, 1)[0] ?? null,
    firstPrOpened: store.auditOfActions(["pr.opened"], 0, 1)[0] ?? null,
    onlineRuns,
    modelDays: store.modelUsageByDay(since),
  };
}

/** The job a `pr.opened` / `pr.updated` entry names as the one that made the head. */
export function headJobId(entry: AuditEntry): string | null {
  const id = (entry.data as { jobId?: unknown } | null)?.jobId;
  return typeof id === "string" ? id : null;
}

/** What a `supervisor.online` entry records (see ComponentService.online); null when it is not that. */
export function onlineData(entry: AuditEntry): { startedAt: number; onlineAt: number } | null {
  const data = entry.data as { startedAt?: unknown; onlineAt?: unknown } | null;
  if (typeof data?.startedAt !== "number" || typeof data.onlineAt !== "number") return null;
  return { startedAt: data.startedAt, onlineAt: data.onlineAt };
}
