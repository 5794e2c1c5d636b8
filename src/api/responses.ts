import { WorkItem, WorkItemState, WorkSource } from "../planning/work-item.ts";
import { OpenQuestion } from "../planning/plan.ts";
import { Specialist } from "../planning/specialist.ts";
import { z } from "zod";
import { Component } from "../store/components/component-rows.ts";
import { PauseState } from "../jobs/pause-state.ts";
import { Failure } from "../core/failures.ts";
import { Claim } from "../jobs/job-service-types.ts";
import { Job, LogLine, Transition, WorkerRecord } from "../store/jobs/job-rows.ts";
import { JobState } from "../core/job-states.ts";
import { GateResult } from "../prs/merge-gate.ts";
import { PullRequest } from "../prs/pr-types.ts";
import { MemoryTotal, ProcessMemory } from "../components/process-memory.ts";

/** Reply payloads of the HTTP API, built from the domain's own schemas. */

export const Ok = z.object({ ok: z.literal(true) });
export type Ok = z.infer<typeof Ok>;

/** `POST /jobs/:id/tests`: how many of the run's outcomes were new (a retried call: none). */
export const RecordTestsReply = z.object({ ok: z.literal(true), recorded: z.number().int() });
export type RecordTestsReply = z.infer<typeof RecordTestsReply>;

/** `POST /jobs/:id/model-exchanges`: whether the exchange was new (a retried call: false). */
export const RecordModelExchangeReply = z.object({ ok: z.literal(true), recorded: z.boolean() });
export type RecordModelExchangeReply = z.infer<typeof RecordModelExchangeReply>;

export const Health = z.object({ ok: z.literal(true), pid: z.number().int(), version: z.string(), lastEventSeq: z.number().int() });
export type Health = z.infer<typeof Health>;

export const StuckJob = z.object({ id: z.string(), kind: z.string(), state: JobState, why: z.string() });
export type StuckJob = z.infer<typeof StuckJob>;

/**
 * A component as `status` shows it: its row, and for a running process its memory, read from /proc
 * when the request is served (never stored); null when it is not running or /proc is not there.
 * Optional, like the other memory fields: a server older than its client does not send them.
 */
export const ComponentStatus = Component.extend({ memory: ProcessMemory.nullable().optional() });
export type ComponentStatus = z.infer<typeof ComponentStatus>;

/** The supervisor (`pushpals start`), when the server finds one holding its lock. */
export const SupervisorProcess = z.object({ pid: z.number().int(), memory: ProcessMemory.nullable() });
export type SupervisorProcess = z.infer<typeof SupervisorProcess>;

export const StatusSnapshot = z.object({
  pid: z.number().int(),
  counts: z.partialRecord(JobState, z.number().int()),
  oldestQueuedAt: z.number().int().nullable(),
  components: z.array(ComponentStatus),
  supervisorProcess: SupervisorProcess.nullable().optional(),
  /** The running components' memory and the supervisor's, summed (PSS is the honest total; see ProcessMemory). */
  memoryTotal: MemoryTotal.nullable().optional(),
  workers: z.array(WorkerRecord),
  /** Jobs that will not move on their own, and why. */
  stuck: z.array(StuckJob),
  lastEventSeq: z.number().int(),
  /** Set by `pushpals pause`: no claims, no merges. */
  paused: PauseState.nullable(),
  /** Settings changed since the components started, which they apply only after a restart (`section.key: old -> new`). */
  restartNeeded: z.array(z.string()).default([]),
  /** The work items by state, and the RemoteAgent's limits over them (`[remote_agent]`). */
  work: z
    .object({
      counts: z.partialRecord(WorkItemState, z.number().int()),
      questions: z.number().int(),
      /** The first open questions, each with its escalation case. */
      openQuestions: z.array(OpenQuestion).default([]),
      /** What holds every dispatch now (the overall caps and cool-down). */
      holds: z.array(z.string()).default([]),
      limits: z.object({
        dispatch: z.boolean(),
        max_in_flight: z.number().int(),
        dispatches_per_hour: z.number().int(),
        dispatches_per_day: z.number().int().optional(),
        item_wall_time_minutes: z.number().int().optional(),
        cooldown_after_failures: z.number().int().optional(),
        cooldown_minutes: z.number().int().optional(),
        check_base: z.boolean(),
      }),
    })
    .optional(),
});
export type StatusSnapshot = z.infer<typeof StatusSnapshot>;

export const JobReply = z.object({ job: Job });
export type JobReply = z.infer<typeof JobReply>;

export const EnqueueReply = z.object({ job: Job, deduped: z.boolean() });
export type EnqueueReply = z.infer<typeof EnqueueReply>;

/** A recorded directive, and the job writing its RFC when it is High. */
export const DirectiveReply = z.object({ job: Job, rfcJob: Job.nullable() });
export type DirectiveReply = z.infer<typeof DirectiveReply>;

export const JobHistory = z.object({ job: Job, transitions: z.array(Transition) });
export type JobHistory = z.infer<typeof JobHistory>;

export const JobList = z.object({ jobs: z.array(Job) });
export type JobList = z.infer<typeof JobList>;

export const LogPage = z.object({ lines: z.array(LogLine) });
export type LogPage = z.infer<typeof LogPage>;

/** The last message of a followed log: the job ended. */
export const LogEnd = z.object({ state: JobState, failure: Failure.nullable() });
export type LogEnd = z.infer<typeof LogEnd>;

export const HeartbeatReply = z.object({ leaseExpiresAt: z.number().int(), cancelRequested: z.boolean(), paused: z.boolean() });
export type HeartbeatReply = z.infer<typeof HeartbeatReply>;

export const AppendLogsReply = z.object({ stored: z.number().int(), dropped: z.number().int() });
export type AppendLogsReply = z.infer<typeof AppendLogsReply>;

export const RegisterWorkerReply = z.object({ worker: WorkerRecord, leaseMs: z.number().int() });
export type RegisterWorkerReply = z.infer<typeof RegisterWorkerReply>;

export const WorkerList = z.object({ workers: z.array(WorkerRecord) });
export type WorkerList = z.infer<typeof WorkerList>;

/** 204 (null) when no job could be claimed before the wait ran out. */
export const ClaimReply = Claim.nullable();
export type ClaimReply = z.infer<typeof ClaimReply>;

/** How many jobs went back to the queue. */
export const WorkerLostReply = z.object({ jobs: z.number().int() });
export type WorkerLostReply = z.infer<typeof WorkerLostReply>;

export const ComponentList = z.object({ components: z.array(Component) });
export type ComponentList = z.infer<typeof ComponentList>;

export const ComponentReply = z.object({ component: Component });
export type ComponentReply = z.infer<typeof ComponentReply>;

export const ResetReply = z.object({ removed: z.number().int() });
export type ResetReply = z.infer<typeof ResetReply>;

export const PrList = z.object({ prs: z.array(PullRequest) });
export type PrList = z.infer<typeof PrList>;

export const PrReply = z.object({ pr: PullRequest });
export type PrReply = z.infer<typeof PrReply>;

/** The merge gate of a PR's head, and the policy (as committed at its base) it was judged by. */
export const GateReply = GateResult.extend({ policy: z.object({ source: z.string().nullable(), hash: z.string() }) });
export type GateReply = z.infer<typeof GateReply>;

export const PauseReply = z.object({ paused: PauseState.nullable() });
export type PauseReply = z.infer<typeof PauseReply>;

export const PausedReply = z.object({ paused: PauseState });
export type PausedReply = z.infer<typeof PausedReply>;

export const ResumedReply = z.object({ paused: z.null() });

export const CredentialReply = z.object({ credential: z.string() });
export type ResumedReply = z.infer<typeof ResumedReply>;

export const WorkItemReply = z.object({ item: WorkItem });
export type WorkItemReply = z.infer<typeof WorkItemReply>;

export const WorkItemList = z.object({ items: z.array(WorkItem) });
export type WorkItemList = z.infer<typeof WorkItemList>;

/** The item dispatched as `job`; or, when its classification said to ask first, blocked on its question and no job. */
export const DispatchReply = z.object({ item: WorkItem, job: Job.nullable(), deduped: z.boolean() });
export type DispatchReply = z.infer<typeof DispatchReply>;

export const SpecialistList = z.object({
  specialists: z.array(Specialist.extend({ available: z.boolean(), why: z.string().nullable() })),
  /** The work sources, in order of precedence, and the item types each files. */
  sources: z.array(z.object({ id: WorkSource, summary: z.string(), itemTypes: z.array(z.string()) })).default([]),
});
export type SpecialistList = z.infer<typeof SpecialistList>;
