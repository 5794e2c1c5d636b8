import type { JobService } from "../jobs/job-service.ts";
import type { KindServices } from "./common/define-kind.ts";
import { kindById } from "./registry.ts";

/** Runs each kind's own server-side effects inside the transaction of every transition of its jobs. */
export function applyKindEffects(jobs: JobService, services: KindServices): void {
  jobs.onTransition((ctx, job) => kindById(job.kind)?.effects?.(ctx, job, services));
}
