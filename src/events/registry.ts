import { z } from "zod";
import { FailureClass } from "../core/failures.ts";
import { JobState } from "../core/job-states.ts";
import { EventRow } from "../store/events/event-rows.ts";

/**
 * Every event type and its payload schema, in one registry. Events are appended to the store
 * (getting their sequence number) before anyone is told about them.
 */
export const EVENT_SCHEMAS = {
  "job.created": z.object({
    jobId: z.string(),
    kind: z.string(),
    priority: z.number().int(),
    dedupeKey: z.string().nullable(),
    state: JobState,
    actor: z.string(),
  }),
  "job.transition": z.object({
    jobId: z.string(),
    from: JobState.nullable(),
    to: JobState,
    attempt: z.number().int(),
    actor: z.string(),
    reason: z.string(),
    failureClass: FailureClass.optional(),
  }),
  "job.progress": z.object({ jobId: z.string(), attempt: z.number().int(), progress: z.unknown() }),
  "job.cancel_requested": z.object({ jobId: z.string(), actor: z.string() }),
  "worker.registered": z.object({ workerId: z.string(), name: z.string(), kinds: z.array(z.string()), pid: z.number().int().nullable() }),
  "component.state": z.object({
    name: z.string(),
    role: z.string(),
    pid: z.number().int().nullable(),
    state: z.string(),
    reason: z.string(),
    restarts: z.number().int(),
    failureClass: FailureClass.optional(),
  }),
  "pr.opened": z.object({ number: z.number().int(), jobId: z.string(), title: z.string(), headSha: z.string(), baseBranch: z.string() }),
  "pr.merged": z.object({ number: z.number().int(), jobId: z.string(), mergedSha: z.string(), previousBaseSha: z.string().nullable(), baseBranch: z.string() }),
  "pr.updated": z.object({ number: z.number().int(), jobId: z.string(), headSha: z.string(), previousHeadSha: z.string() }),
  "pr.merge_failed": z.object({ number: z.number().int(), jobId: z.string(), failureClass: FailureClass.optional(), message: z.string() }),
  "pr.closed": z.object({ number: z.number().int(), actor: z.string(), reason: z.string() }),
  "control.paused": z.object({ by: z.string(), reason: z.string(), at: z.number().int() }),
  "control.resumed": z.object({ by: z.string(), reason: z.string(), pausedBy: z.string(), pausedAt: z.number().int() }),
} as const;

export type EventType = keyof typeof EVENT_SCHEMAS;
export type EventData<T extends EventType> = z.infer<(typeof EVENT_SCHEMAS)[T]>;

export const EventType = z.enum(Object.keys(EVENT_SCHEMAS) as [EventType, ...EventType[]]);

/** A stored event, its type narrowed to the registry's. */
export const PushpalsEvent = EventRow.extend({ type: EventType });
export type PushpalsEvent = z.infer<typeof PushpalsEvent>;

export interface NewEvent<T extends EventType = EventType> {
  type: T;
  jobId: string | null;
  data: EventData<T>;
}

export function newEvent<T extends EventType>(type: T, jobId: string | null, data: EventData<T>): NewEvent<T> {
  // Parse at the source so a malformed event never reaches the store or a client.
  return { type, jobId, data: EVENT_SCHEMAS[type].parse(data) as EventData<T> };
}
