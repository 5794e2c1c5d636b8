import { z } from "zod";
import { AuditVerdict } from "../audit/chain.ts";
import { AuditEntry } from "../store/audit/audit-chain.ts";
import { PushpalsEvent } from "../events/registry.ts";
import { LogLine } from "../store/jobs/job-rows.ts";
import { Plan } from "../planning/plan.ts";
import { DependencyDashboard } from "../sources/dependency-updates/dashboard.ts";
import { FlakyTests } from "../test-history/test-summary.ts";
import { FiledAuditReply, SecurityReport } from "../sources/security-audit/security-report.ts";
import { ModelExchangePage, ModelUsageReply } from "../models/model-usage.ts";
import { Report } from "../planning/report.ts";
import { MetricsSnapshot, PROMETHEUS_CONTENT_TYPE } from "../metrics/metrics-snapshot.ts";
import { defineRoutes } from "./define-route.ts";
import * as reply from "./responses.ts";
import * as req from "./schemas.ts";

/**
 * Every endpoint of the PushPals HTTP API. The server registers exactly these (it refuses to start
 * with one missing or one extra) and every client calls through them, so a reply's type is written
 * once, here, and reaches the caller from the schema.
 */
export const routes = defineRoutes({
  health: { method: "GET", path: "/health", response: reply.Health },
  status: { method: "GET", path: "/status", response: reply.StatusSnapshot },
  /** Every event after `?after=` (or Last-Event-ID), then live ones; SSE `id:` is the event's seq. */
  events: { method: "GET", path: "/events", query: req.AfterQuery, stream: { format: "sse", message: PushpalsEvent } },
  verifyAudit: { method: "GET", path: "/audit/verify", response: AuditVerdict },
  exportAudit: { method: "GET", path: "/audit/export", stream: { format: "jsonl", message: AuditEntry } },

  // Jobs: 201 for a new job, 200 for the active job its dedupe key already names.
  enqueueJob: { method: "POST", path: "/jobs", body: req.EnqueueBody, response: reply.EnqueueReply },
  listJobs: { method: "GET", path: "/jobs", query: req.JobsQuery, response: reply.JobList },
  getJob: { method: "GET", path: "/jobs/:id", response: reply.JobHistory },
  cancelJob: { method: "POST", path: "/jobs/:id/cancel", body: req.ReasonBody, response: reply.JobReply },
  unblockJob: { method: "POST", path: "/jobs/:id/unblock", body: req.ReasonBody, response: reply.JobReply },
  /** A page of log lines; with `?follow=1` an SSE stream of `log` messages and one `end` once the job has ended. */
  jobLogs: {
    method: "GET",
    path: "/jobs/:id/logs",
    query: req.AfterQuery,
    response: reply.LogPage,
    stream: { format: "sse", when: { follow: "1" }, message: z.union([LogLine, reply.LogEnd]) },
  },

  // A worker's calls on the job it holds, fenced by its lease token.
  heartbeatJob: { method: "POST", path: "/jobs/:id/heartbeat", body: req.LeaseBody, response: reply.HeartbeatReply },
  appendJobLogs: { method: "POST", path: "/jobs/:id/logs", body: req.LogBody, response: reply.AppendLogsReply },
  reportProgress: { method: "POST", path: "/jobs/:id/progress", body: req.ProgressBody, response: reply.Ok },
  recordCommand: { method: "POST", path: "/jobs/:id/commands", body: req.CommandBody, response: reply.Ok },
  /** One run's tests (outcomes of a check's test report): one row per test, recorded once per job attempt, run and test. */
  recordTests: { method: "POST", path: "/jobs/:id/tests", body: req.RecordTestsBody, response: reply.RecordTestsReply },
  /** One exchange of a model-backed job's loop, redacted and bounded by the server; recorded once per job attempt and step. */
  recordModelExchange: { method: "POST", path: "/jobs/:id/model-exchanges", body: req.RecordModelExchangeBody, response: reply.RecordModelExchangeReply },
  completeJob: { method: "POST", path: "/jobs/:id/complete", body: req.CompleteBody, response: reply.JobReply },
  failJob: { method: "POST", path: "/jobs/:id/fail", body: req.FailBody, response: reply.JobReply },
  releaseJob: { method: "POST", path: "/jobs/:id/release", body: req.ReleaseBody, response: reply.JobReply },

  registerWorker: { method: "POST", path: "/workers", body: req.RegisterWorkerBody, response: reply.RegisterWorkerReply },
  listWorkers: { method: "GET", path: "/workers", response: reply.WorkerList },
  /** Long-poll for up to `waitMs`; 204 (null) when nothing could be claimed. */
  claimJob: { method: "POST", path: "/workers/:id/claim", body: req.ClaimBody, response: reply.ClaimReply },

  // The readiness handshake and the supervisor's reports.
  listComponents: { method: "GET", path: "/components", response: reply.ComponentList },
  resetComponents: { method: "POST", path: "/components/reset", body: req.ComponentResetBody, response: reply.ResetReply },
  componentReady: { method: "POST", path: "/components/:name/ready", body: req.ComponentReadyBody, response: reply.ComponentReply },
  componentHeartbeat: { method: "POST", path: "/components/:name/heartbeat", body: req.EmptyBody, response: reply.Ok },
  componentReport: { method: "POST", path: "/components/:name/report", body: req.ComponentReportBody, response: reply.ComponentReply },
  workerLost: { method: "POST", path: "/workers/:id/lost", body: req.WorkerLostBody, response: reply.WorkerLostReply },
  /** Once every component said ready: recorded in the audit log (`supervisor.online`), the time-to-online metric's history. */
  supervisorOnline: { method: "POST", path: "/supervisor/online", body: req.SupervisorOnlineBody, response: reply.Ok },
  /** A credential for a component the caller runs by hand; only for the server's own OS user, on its socket. */
  issueCredential: { method: "POST", path: "/credentials", body: req.IssueCredentialBody, response: reply.CredentialReply },

  listPrs: { method: "GET", path: "/prs", query: req.PrsQuery, response: reply.PrList },
  getPr: { method: "GET", path: "/prs/:number", response: reply.PrReply },
  /** Whether the PR may merge now; `head`/`base`/`baseSha` name the merge asking, which must still match. */
  prGate: { method: "GET", path: "/prs/:number/gate", query: req.GateQuery, response: reply.GateReply },
  approvePr: { method: "POST", path: "/prs/:number/approve", body: req.PrDecisionBody, response: reply.PrReply },
  rejectPr: { method: "POST", path: "/prs/:number/reject", body: req.PrDecisionBody, response: reply.PrReply },
  mergePr: { method: "POST", path: "/prs/:number/merge", body: req.PrDecisionBody, response: reply.EnqueueReply },
  recordDirective: { method: "POST", path: "/directives", body: req.DirectiveBody, response: reply.DirectiveReply },
  closePr: { method: "POST", path: "/prs/:number/close", body: req.ReasonBody, response: reply.PrReply },
  /** A merged PR's revert as a new PR (one job per PR: `revert:<n>`); refused unless PushPals merged it here. */
  revertPr: { method: "POST", path: "/prs/:number/revert", body: req.EmptyBody, response: reply.EnqueueReply },

  // Work items the RemoteAgent selects from; the plan ranks them and changes nothing.
  plan: { method: "GET", path: "/plan", response: Plan },
  listWorkItems: { method: "GET", path: "/work-items", query: req.WorkItemsQuery, response: reply.WorkItemList },
  addBacklog: { method: "POST", path: "/backlog", body: req.BacklogBody, response: reply.WorkItemReply },
  dropWorkItem: { method: "POST", path: "/work-items/:id/drop", body: req.ReasonBody, response: reply.WorkItemReply },
  answerWorkItem: { method: "POST", path: "/work-items/:id/answer", body: req.AnswerBody, response: reply.WorkItemReply },
  /** Shipped, Evidence, Risk notes, Follow-ups over a window (the vision's report). */
  report: { method: "GET", path: "/report", query: req.ReportQuery, response: Report },
  /** The Dependency Steward's dashboard: detected dependencies; pending, open, blocked, turned-down and ignored updates, each with its reason. */
  dependencies: { method: "GET", path: "/dependencies", response: DependencyDashboard },
  /** The CI Medic's per-test history: tests by flakiness score (probability of failing without a code change), with the evidence. */
  flakyTests: { method: "GET", path: "/flaky", query: req.FlakyQuery, response: FlakyTests },
  /** The Security Sentinel's newest audit (its findings), the audit job running or failed since, and the audit item. */
  securityReport: { method: "GET", path: "/security", response: SecurityReport },
  /** Files a security audit of the base branch's head as a work item (one at a time: asking again while one waits is that one). */
  requestSecurityAudit: { method: "POST", path: "/security/audit", body: req.EmptyBody, response: FiledAuditReply },
  /** A job's model transcript, a page at a time, with the job's model usage (every attempt). */
  modelExchanges: { method: "GET", path: "/jobs/:id/model-exchanges", query: req.ModelExchangesQuery, response: ModelExchangePage },
  /** One UTC day's model usage over every job: tokens, cost, exchanges, jobs (default today). */
  modelUsage: { method: "GET", path: "/model-usage", query: req.ModelUsageQuery, response: ModelUsageReply },
  /** The capability registry: every specialist, what it takes, whether it can run here. */
  listSpecialists: { method: "GET", path: "/specialists", response: reply.SpecialistList },
  /** The RemoteAgent's: the item as its task, one job, the item dispatched (idempotent). */
  dispatchWorkItem: { method: "POST", path: "/work-items/:id/dispatch", body: req.DispatchBody, response: reply.DispatchReply },

  // The vision's metrics, computed from the stored history (src/metrics/definitions.ts): JSON, and the Prometheus text format.
  metrics: { method: "GET", path: "/metrics/snapshot", query: req.MetricsQuery, response: MetricsSnapshot },
  prometheusMetrics: { method: "GET", path: "/metrics", query: req.MetricsQuery, text: { contentType: PROMETHEUS_CONTENT_TYPE } },

  // The stop switch.
  getControl: { method: "GET", path: "/control", response: reply.PauseReply },
  pause: { method: "POST", path: "/control/pause", body: req.ReasonBody, response: reply.PausedReply },
  resume: { method: "POST", path: "/control/resume", body: req.ReasonBody, response: reply.ResumedReply },
});

export type Routes = typeof routes;
export type RouteName = keyof Routes;
