import type { Failure } from "../core/failures.ts";
import type { Job } from "../store/jobs/job-rows.ts";
import { transition, type WriteContext } from "./transition.ts";

/** Requeues a job whose worker is gone, or fails it with `lease_lost` after its last attempt. */
export function loseLease(ctx: WriteContext, job: Job, why: string): void {
  const worker = job.workerId ?? "unknown";
  const patch = { workerId: null, leaseExpiresAt: null };
  if (job.cancelRequested) {
    transition(ctx, job, { to: "cancelled", actor: "server", reason: `worker ${worker} ${why} while cancelling`, failureClass: "cancelled", patch });
    return;
  }
  if (job.attempt >= job.maxAttempts) {
    const lastLines = ctx.store.lastLogLines(job.id, 20).map((l) => l.line);
    const failure: Failure = {
      class: "lease_lost",
      message: `worker ${worker} ${why} on the last attempt (${job.attempt} of ${job.maxAttempts})`,
      evidence: lastLines.length ? { logExcerpt: lastLines.join("\n").slice(-16_000) } : {},
    };
    transition(ctx, job, { to: "failed", actor: "server", reason: failure.message, failureClass: "lease_lost", patch: { ...patch, failure } });
    return;
  }
  transition(ctx, job, { to: "queued", actor: "server", reason: `lease of ${worker} lost (${why}); requeued for attempt ${job.attempt + 1}`, patch });
}
