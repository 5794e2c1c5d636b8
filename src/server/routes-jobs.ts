import { routes } from "../api/routes.ts";
import type { GroupCommit } from "../jobs/group-commit.ts";
import type { JobService } from "../jobs/job-service.ts";
import { admitClientJob, assertClientDedupeKey, assertClientKind, verifyClientJob } from "../kinds/registry.ts";
import { isTerminal } from "../jobs/states.ts";
import { recordTestRun } from "../test-history/test-history-service.ts";
import type { ConnectionLimits } from "./connection-limits.ts";
import { personActorOf, streamClientOf } from "./caller.ts";
import { json, streamReply } from "./http.ts";
import type { Router } from "./router.ts";
import { sseHeaders } from "./sse.ts";

export interface JobRoutesDeps {
  service: JobService;
  /** Every write goes through the group commit. */
  commit: GroupCommit;
  limits: ConnectionLimits;
  sseHeartbeatMs: number;
  /** The repository, for the kinds that check a client's job against it. */
  repoRoot: string | null;
}

export function jobRoutes(router: Router, deps: JobRoutesDeps): void {
  const { service, commit } = deps;
  const lease = (jobId: string, body: { workerId: string; token: number }) => ({ jobId, workerId: body.workerId, token: body.token });

  router
    .route(routes.enqueueJob, async ({ body, caller }) => {
      assertClientKind(body.kind);
      assertClientDedupeKey(body.dedupeKey);
      await verifyClientJob(body.kind, service.options.parseInput(body.kind, body.input), deps.repoRoot);
      const { job, deduped } = await commit.run(() =>
        service.record((ctx) => {
          const admitted = admitClientJob(ctx, body.kind, service.options.parseInput(body.kind, body.input));
          return service.enqueueWithin(ctx, { ...body, ...admitted, actor: personActorOf(caller) });
        }),
      );
      return json({ job, deduped }, deduped ? 200 : 201);
    })
    .route(routes.listJobs, ({ query: q }) => json({ jobs: service.list({ state: q.state, kind: q.kind, limit: q.limit, afterId: q.after, newest: q.newest === "1" }) }))
    .route(routes.getJob, ({ params }) => json(service.get(params.id)))
    .route(routes.cancelJob, async ({ params, body, caller }) => json({ job: await commit.run(() => service.cancel(params.id, personActorOf(caller), body.reason)) }))
    .route(routes.unblockJob, async ({ params, body, caller }) => json({ job: await commit.run(() => service.unblock(params.id, personActorOf(caller), body.reason ?? "unblocked")) }))
    .route(routes.jobLogs, ({ req, params, query: q, caller }) => {
      if (q.follow === "1") {
        const open = () => followLogs(service, params.id, q.after ?? 0, deps.sseHeartbeatMs, req.signal);
        return streamReply(deps.limits.stream(req, streamClientOf(caller), deps.sseHeartbeatMs, open), sseHeaders());
      }
      return json({ lines: service.logs(params.id, q.after ?? 0, q.limit) });
    })
    .route(routes.heartbeatJob, async ({ params, body }) => json(await commit.run(() => service.heartbeat(lease(params.id, body)))))
    .route(routes.appendJobLogs, async ({ params, body }) => json(await commit.run(() => service.appendLogs(lease(params.id, body), body.lines))))
    .route(routes.reportProgress, async ({ params, body }) => {
      await commit.run(() => service.progress(lease(params.id, body), body.progress));
      return json({ ok: true as const });
    })
    .route(routes.recordCommand, async ({ params, body }) => {
      const { workerId, token, ...command } = body;
      await commit.run(() => service.recordCommand({ jobId: params.id, workerId, token }, { ...command, signal: command.signal ?? null }));
      return json({ ok: true as const });
    })
    .route(routes.recordTests, async ({ params, body }) => {
      const { workerId, token, ...report } = body;
      const { recorded } = await commit.run(() => recordTestRun(service, { jobId: params.id, workerId, token }, report));
      return json({ ok: true as const, recorded });
    })
    .route(routes.completeJob, async ({ params, body }) => json({ job: await commit.run(() => service.complete(lease(params.id, body), body.result ?? null)) }))
    .route(routes.failJob, async ({ params, body }) => json({ job: await commit.run(() => service.fail(lease(params.id, body), body.failure)) }))
    .route(routes.releaseJob, async ({ params, body }) => json({ job: await commit.run(() => service.release(lease(params.id, body), body.reason)) }));
}

/** Streams a job's log lines as SSE (`id:` = line id) and ends once the job has ended and every line is sent. */
function followLogs(service: JobService, jobId: string, after: number, heartbeatMs: number, signal: AbortSignal): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor = after;
  let cleanup = () => {};
  service.get(jobId); // 404 before the stream starts
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const close = () => {
        cleanup();
        try {
          controller.close();
        } catch {}
      };
      const flush = () => {
        for (;;) {
          const lines = service.logs(jobId, cursor, 1000);
          if (lines.length === 0) break;
          controller.enqueue(encoder.encode(lines.map((l) => `id: ${l.id}\nevent: log\ndata: ${JSON.stringify(l)}\n\n`).join("")));
          cursor = lines[lines.length - 1]!.id;
        }
        const { job } = service.get(jobId);
        if (isTerminal(job.state)) {
          controller.enqueue(encoder.encode(`event: end\ndata: ${JSON.stringify({ state: job.state, failure: job.failure })}\n\n`));
          close();
        }
      };
      const offLogs = service.logBus.subscribe((id) => id === jobId && flush());
      const offEvents = service.events.subscribe((e) => e.jobId === jobId && e.type === "job.transition" && flush());
      const heartbeat = setInterval(() => controller.enqueue(encoder.encode(`: heartbeat\n\n`)), heartbeatMs);
      cleanup = () => {
        offLogs();
        offEvents();
        clearInterval(heartbeat);
        signal.removeEventListener("abort", close);
      };
      signal.addEventListener("abort", close);
      flush();
    },
    cancel() {
      cleanup();
    },
  });
}
