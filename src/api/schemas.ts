import { z } from "zod";
import { ComponentRole } from "../store/components/component-rows.ts";
import { Failure } from "../core/failures.ts";
import { ID_PATTERN } from "../core/ids.ts";
import { JobState } from "../core/job-states.ts";
import { Sha } from "../core/sha.ts";
import { CredentialRole } from "../identity/component-credential.ts";
import { COMPONENT_NAME_PATTERN } from "../components/component-types.ts";
import { Duration } from "../metrics/metrics-window.ts";
import { MAX_CHECK_NAME, TestRunReport } from "../test-history/test-run-report.ts";
import { ModelExchange } from "../models/model-types.ts";
import { UtcDay } from "../models/model-usage.ts";

/**
 * Request payloads of the HTTP API. Strict: an unknown field is an error that names it. No body names
 * who is asking: the server knows that from the connection (the kernel's peer credentials) and a
 * component's credential, so an `actor` field is refused like any unknown one.
 */

const MAX_JSON_DEPTH = 32;

/** Nesting depth of a parsed JSON value, measured without recursion (hostile input can be very deep). */
function jsonDepth(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== "object") continue;
    if (depth > max) max = depth;
    if (max > MAX_JSON_DEPTH) return max;
    for (const inner of Object.values(current)) stack.push([inner, depth + 1]);
  }
  return max;
}

/** Free-form JSON (job input, progress, result), nested at most MAX_JSON_DEPTH levels. */
const JsonValue = z.unknown().refine((v) => jsonDepth(v) <= MAX_JSON_DEPTH, `nested more than ${MAX_JSON_DEPTH} levels deep`);

export const Id = z.string().regex(ID_PATTERN, "not a valid id");
const Token = z.number().int().positive();
const DedupeKey = z.string().min(1).max(512);

export const EnqueueBody = z.strictObject({
  kind: z.string().min(1).max(64),
  input: JsonValue.optional(),
  priority: z.number().int().min(-1000).max(1000).optional(),
  dedupeKey: DedupeKey.nullable().optional(),
  maxAttempts: z.number().int().min(1).max(20).optional(),
  blockedReason: z.string().min(1).max(1000).optional(),
});
export type EnqueueBody = z.infer<typeof EnqueueBody>;

export const ReasonBody = z.strictObject({ reason: z.string().min(1).max(1000).optional() });
export type ReasonBody = z.infer<typeof ReasonBody>;

/** `pushpals ask`: a CTO directive, and the branch its RFC (for a High one) is proposed to. */
export const DirectiveBody = z.strictObject({
  /** The directive's fields (goal, risk, scope, done, constraints): the directive kind's schema checks them on the server. */
  directive: z.record(z.string(), z.unknown()),
  baseBranch: z.string().min(1).max(255).regex(/^[^\s~^:?*[\\]+$/, "must be a branch name") });
export type DirectiveBody = z.infer<typeof DirectiveBody>;

/** A person's decision on a PR (approve, reject, merge): it names the head they were shown, so it binds to what they saw. */
export const PrDecisionBody = z.strictObject({ head: Sha, reason: z.string().min(1).max(1000).optional() });
export type PrDecisionBody = z.infer<typeof PrDecisionBody>;

export const RegisterWorkerBody = z.strictObject({
  id: Id,
  name: z.string().min(1).max(100),
  kinds: z.array(z.string().min(1).max(64)).min(1).max(64),
  pid: z.number().int().positive().nullable(),
});
export type RegisterWorkerBody = z.infer<typeof RegisterWorkerBody>;

export const ClaimBody = z.strictObject({
  kinds: z.array(z.string().min(1).max(64)).min(1).max(64),
  waitMs: z.number().int().min(0).max(30_000).default(0),
});
export type ClaimBody = z.infer<typeof ClaimBody>;

const LeaseFields = { workerId: Id, token: Token };

export const LeaseBody = z.strictObject(LeaseFields);
export type LeaseBody = z.infer<typeof LeaseBody>;

export const LogBody = z.strictObject({
  ...LeaseFields,
  lines: z
    .array(z.strictObject({ stream: z.enum(["stdout", "stderr", "system"]), line: z.string().max(65_536) }))
    .min(1)
    .max(5_000),
});
export type LogBody = z.infer<typeof LogBody>;

export const ProgressBody = z.strictObject({ ...LeaseFields, progress: JsonValue });
export type ProgressBody = z.infer<typeof ProgressBody>;

export const CommandBody = z.strictObject({
  ...LeaseFields,
  command: z.string().min(1).max(4096),
  exitCode: z.number().int().nullable(),
  signal: z.string().max(32).nullable().optional(),
  durationMs: z.number().int().nonnegative(),
});
export type CommandBody = z.infer<typeof CommandBody>;

/** One run's tests (`ctx.recordTests`): the run's report beside the lease fields. */
export const RecordTestsBody = z.strictObject({ ...LeaseFields, ...TestRunReport.shape });
export type RecordTestsBody = z.infer<typeof RecordTestsBody>;

/** One model exchange of the job's loop (`ctx.recordModelExchange`): the exchange beside the lease fields. */
export const RecordModelExchangeBody = z.strictObject({ ...LeaseFields, ...ModelExchange.shape });
export type RecordModelExchangeBody = z.infer<typeof RecordModelExchangeBody>;

export const CompleteBody = z.strictObject({ ...LeaseFields, result: JsonValue.optional() });
export type CompleteBody = z.infer<typeof CompleteBody>;

export const FailBody = z.strictObject({ ...LeaseFields, failure: Failure });
export type FailBody = z.infer<typeof FailBody>;

export const ReleaseBody = z.strictObject({ ...LeaseFields, reason: z.string().min(1).max(1000) });
export type ReleaseBody = z.infer<typeof ReleaseBody>;

export const JobsQuery = z.strictObject({
  state: JobState.optional(),
  kind: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  after: Id.optional(),
  newest: z.enum(["0", "1"]).optional(),
});
export type JobsQuery = z.infer<typeof JobsQuery>;

export const AfterQuery = z.strictObject({
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
  follow: z.enum(["0", "1"]).optional(),
});
export type AfterQuery = z.infer<typeof AfterQuery>;

export const ComponentReadyBody = z.strictObject({
  role: ComponentRole,
  pid: z.number().int().positive().nullable(),
  workerId: Id.nullable().optional(),
});
export type ComponentReadyBody = z.infer<typeof ComponentReadyBody>;

export const ComponentReportBody = z.strictObject({
  role: ComponentRole,
  pid: z.number().int().positive().nullable(),
  state: z.enum(["starting", "stopped", "crashed", "failed"]),
  reason: z.string().min(1).max(1000),
  restarts: z.number().int().min(0).optional(),
  exitCode: z.number().int().nullable().optional(),
  signal: z.string().max(32).nullable().optional(),
  workerId: Id.nullable().optional(),
});
export type ComponentReportBody = z.infer<typeof ComponentReportBody>;

export const EmptyBody = z.strictObject({});

export const ComponentResetBody = z.strictObject({ keep: z.array(z.string().max(64)).max(64).default([]) });
export type ComponentResetBody = z.infer<typeof ComponentResetBody>;

export const WorkerLostBody = z.strictObject({ reason: z.string().min(1).max(1000) });
export type WorkerLostBody = z.infer<typeof WorkerLostBody>;

/** The supervisor's word that its run came online: when `pushpals start` began and when every component had said ready. */
export const SupervisorOnlineBody = z
  .strictObject({
    startedAt: z.number().int().positive(),
    onlineAt: z.number().int().positive(),
    components: z.array(z.string().regex(COMPONENT_NAME_PATTERN)).max(256),
  })
  .refine((b) => b.onlineAt >= b.startedAt, { message: "onlineAt is before startedAt", path: ["onlineAt"] });
export type SupervisorOnlineBody = z.infer<typeof SupervisorOnlineBody>;

/** The metrics' window: how far back (`7d`); all history without it. */
export const MetricsQuery = z.strictObject({ since: Duration.optional() });
export type MetricsQuery = z.infer<typeof MetricsQuery>;

/** A credential for a component of `role` called `name` (the owner's own processes only). */
export const IssueCredentialBody = z.strictObject({ role: CredentialRole, name: z.string().regex(COMPONENT_NAME_PATTERN, "must be a component name like worker-1") });
export type IssueCredentialBody = z.infer<typeof IssueCredentialBody>;

/** The file the server writes in the runtime directory so clients can find it. */
export const ServerInfo = z.object({
  pid: z.number().int(),
  port: z.number().int(),
  /** The read-only loopback listener (GET only). */
  url: z.string(),
  /** The API socket every PushPals client writes through (absent in a file an older PushPals left). */
  socket: z.string().optional(),
  startedAt: z.number().int(),
  version: z.string(),
});
export type ServerInfo = z.infer<typeof ServerInfo>;

export const PrsQuery = z.strictObject({
  state: z.enum(["open", "merged", "closed"]).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type PrsQuery = z.infer<typeof PrsQuery>;

export const GateQuery = z.strictObject({
  head: Sha.optional(),
  base: z.string().min(1).max(255).optional(),
  baseSha: Sha.optional(),
});
export type GateQuery = z.infer<typeof GateQuery>;

/** `pushpals backlog add`: the entry's fields, checked on the server by the planning domain's schema. */
export const BacklogBody = z.strictObject({ entry: z.record(z.string(), z.unknown()) });
export type BacklogBody = z.infer<typeof BacklogBody>;

/**
 * `pushpals answer <item> "..."`: the answer; `rfc` names the merged RFC high-risk work carries out
 * (its approval); `command` and `scope` change the task (a directive becomes a codemod; a scope is narrowed).
 */
export const AnswerBody = z.strictObject({
  answer: z.string().trim().min(1).max(4000),
  rfc: z.number().int().positive().optional(),
  command: z.string().min(1).max(8192).optional(),
  scope: z.array(z.string().min(1).max(512)).min(1).max(64).optional(),
});
export type AnswerBody = z.infer<typeof AnswerBody>;

export const WorkItemsQuery = z.strictObject({ all: z.enum(["0", "1"]).optional() });
export type WorkItemsQuery = z.infer<typeof WorkItemsQuery>;

export const DispatchBody = z.strictObject({ baseBranch: z.string().min(1).max(255).regex(/^[^\s~^:?*[\\]+$/, "must be a branch name") });
export type DispatchBody = z.infer<typeof DispatchBody>;

/** `pushpals report --since 24h`: the window (default the last 24 hours). */
export const ReportQuery = z.strictObject({ since: Duration.optional() });
export type ReportQuery = z.infer<typeof ReportQuery>;

/** `pushpals flaky`: one check's tests only; how many; `all=1` also tests with no flaky commit. */
export const FlakyQuery = z.strictObject({
  check: z.string().min(1).max(MAX_CHECK_NAME).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  all: z.enum(["0", "1"]).optional(),
});
export type FlakyQuery = z.infer<typeof FlakyQuery>;

/** A job's model transcript: exchanges after the id `after`, at most `limit` (0: only the job's usage). */
export const ModelExchangesQuery = z.strictObject({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(0).max(50).default(20),
});
export type ModelExchangesQuery = z.infer<typeof ModelExchangesQuery>;

/** `GET /model-usage?day=YYYY-MM-DD`: one UTC day (default today). */
export const ModelUsageQuery = z.strictObject({ day: UtcDay.optional() });
export type ModelUsageQuery = z.infer<typeof ModelUsageQuery>;
