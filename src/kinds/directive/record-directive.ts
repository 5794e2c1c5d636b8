import type { JobService } from "../../jobs/job-service.ts";
import { recordDirectiveItem } from "../../sources/directive/directive-item.ts";
import type { Job } from "../../store/jobs/job-rows.ts";
import type { DirectiveInput } from "./directive-input.ts";
import { rfcRunInput, type RfcPrep } from "./rfc-document.ts";

const WAITING = "no worker can act on directives yet: RemoteAgent planning arrives in a later release; the request is kept until then";
const WAITING_FOR_RFC = "High risk: waiting for its RFC to be approved and merged; no code job starts before";

/**
 * `pushpals ask`: the directive, blocked, and for a High one the job writing its RFC, in one
 * transaction. The RFC change is the server's own: no client can create one (see admitRfcRun).
 */
export function recordDirective(jobs: JobService, actor: string, directive: DirectiveInput, rfc: RfcPrep | null, modelReady = false): { job: Job; rfcJob: Job | null } {
  return jobs.record((ctx) => {
    const { job } = jobs.enqueueWithin(ctx, { kind: "directive", input: directive, actor, blockedReason: rfc ? WAITING_FOR_RFC : WAITING });
    recordDirectiveItem(ctx, actor, job, directive, modelReady);
    if (!rfc) return { job, rfcJob: null };
    const queued = jobs.enqueueWithin(ctx, { kind: "run", input: rfcRunInput(rfc, job.id, directive), actor, dedupeKey: `rfc:${job.id}` });
    return { job, rfcJob: queued.job };
  });
}
