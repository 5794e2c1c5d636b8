import type { JobService } from "../jobs/job-service.ts";
import { PAUSE_ACTIONS, PAUSE_KEY, readPause, type PauseState } from "../jobs/pause-state.ts";

/**
 * The human's stop switch (`pushpals pause` / `resume`): durable (it survives restarts), audited, and
 * announced, so every client and the claim long-polls see it at once.
 */
export class ControlService {
  constructor(private readonly jobs: JobService) {}

  state(): PauseState | null {
    return readPause(this.jobs.store);
  }

  pause(actor: string, reason: string): PauseState {
    return this.jobs.record((ctx) => {
      const current = readPause(ctx.store);
      if (current) return current;
      const state: PauseState = { by: actor, reason, at: ctx.now };
      ctx.store.setMeta(PAUSE_KEY, JSON.stringify(state));
      ctx.emit("control.paused", null, state);
      ctx.audit(actor, PAUSE_ACTIONS.paused, null, { reason });
      return state;
    });
  }

  resume(actor: string, reason: string): void {
    this.jobs.record((ctx) => {
      const current = readPause(ctx.store);
      if (!current) return;
      ctx.store.setMeta(PAUSE_KEY, "");
      ctx.emit("control.resumed", null, { by: actor, reason, pausedBy: current.by, pausedAt: current.at });
      ctx.audit(actor, PAUSE_ACTIONS.resumed, null, { reason, pausedBy: current.by, pausedSince: current.at });
    });
  }
}
