import { ActorBody, AfterQuery, CommandBody, CompleteBody, EnqueueBody, FailBody, JobsQuery, LeaseBody, LogBody, ProgressBody, ReleaseBody } from "../api/schemas.ts";
import type { GroupCommit } from "../jobs/group-commit.ts";
import type { JobService } from "../jobs/job-service.ts";
import { isTerminal } from "../jobs/states.ts";
import { json, queryObject, readBody, validate } from "./http.ts";
import type { Router } from "./router.ts";
import { sseHeaders } from "./sse.ts";

export interface JobRoutesDeps {
  service: JobService;
  /** Every write goes through the group commit. */
  commit: GroupCommit;
  maxBodyBytes: number;
  sseHeartbeatMs: number;
}

export function jobRoutes(router: Router, deps: JobRoutesDeps): void {
  const { service, commit, maxBodyBytes } = deps;
  const lease = (jobId: string, body: { workerId: string; token: number }) => ({ jobId, workerId: body.workerId, token: body.token });

  router
    .on("POST", "/jobs", async ({ req }) => {
      const body = await readBody(req, EnqueueBody, maxBodyBytes);
      const { job, deduped } = await commit.run(() => service.enqueue(body));
      return json({ job, deduped }, deduped ? 200 : 201);
    })
    .on("GET", "/jobs", ({ url }) => {
      const q = validate(JobsQuery, queryObject(url), "query");
      return json({ jobs: service.list({ state: q.state, kind: q.kind, limit: q.limit, afterId: q.after, newest: q.newest === "1" }) });
    })
    .on("GET", "/jobs/:id", ({ params }) => json(service.get(params.id!)))
    .on("POST", "/jobs/:id/cancel", async ({ req, params }) => {
      const body = await readBody(req, ActorBody, maxBodyBytes);
      return json({ job: await commit.run(() => service.cancel(params.id!, body.actor, body.reason)) });
    })
    .on("POST", "/jobs/:id/unblock", async ({ req, params }) => {
      const body = await readBody(req, ActorBody, maxBodyBytes);
      return json({ job: await commit.run(() => service.unblock(params.id!, body.actor, body.reason ?? "unblocked")) });
    })
    .on("GET", "/jobs/:id/logs", ({ req, url, params }) => {
      const q = validate(AfterQuery, queryObject(url), "query");
      if (q.follow === "1") return new Response(followLogs(service, params.id!, q.after ?? 0, deps.sseHeartbeatMs, req.signal), { headers: sseHeaders() });
      return json({ lines: service.logs(params.id!, q.after ?? 0, q.limit) });
    })
    .on("POST", "/jobs/:id/heartbeat", async ({ req, params }) => {
      const body = await readBody(req, LeaseBody, maxBodyBytes);
      return json(await commit.run(() => service.heartbeat(lease(params.id!, body))));
    })
    .on("POST", "/jobs/:id/logs", async ({ req, params }) => {
      const body = await readBody(req, LogBody, maxBodyBytes);
      return json(await commit.run(() => service.appendLogs(lease(params.id!, body), body.lines)));
    })
    .on("POST", "/jobs/:id/progress", async ({ req, params }) => {
      const body = await readBody(req, ProgressBody, maxBodyBytes);
      await commit.run(() => service.progress(lease(params.id!, body), body.progress));
      return json({ ok: true });
    })
    .on("POST", "/jobs/:id/commands", async ({ req, params }) => {
      const { workerId, token, ...command } = await readBody(req, CommandBody, maxBodyBytes);
      await commit.run(() => service.recordCommand({ jobId: params.id!, workerId, token }, { ...command, signal: command.signal ?? null }));
      return json({ ok: true });
    })
    .on("POST", "/jobs/:id/complete", async ({ req, params }) => {
      const body = await readBody(req, CompleteBody, maxBodyBytes);
      return json({ job: await commit.run(() => service.complete(lease(params.id!, body), body.result ?? null)) });
    })
    .on("POST", "/jobs/:id/fail", async ({ req, params }) => {
      const body = await readBody(req, FailBody, maxBodyBytes);
      return json({ job: await commit.run(() => service.fail(lease(params.id!, body), body.failure)) });
    })
    .on("POST", "/jobs/:id/release", async ({ req, params }) => {
      const body = await readBody(req, ReleaseBody, maxBodyBytes);
      return json({ job: await commit.run(() => service.release(lease(params.id!, body), body.reason)) });
    });
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
