import { z } from "zod";
import type { JobService } from "../jobs/job-service.ts";

export const PauseState = z.object({ by: z.string(), reason: z.string(), at: z.number().int() });
export type PauseState = z.infer<typeof PauseState>;

const PAUSE_KEY = "paused";

/** Reads the pause switch: while it is set no job is claimed and no merge moves a ref. */
export function readPause(store: JobService["store"]): PauseState | null {
  const raw = store.getMeta(PAUSE_KEY);
  if (!raw) return null;
  const parsed = PauseState.safeParse(JSON.parse(raw));
  return parsed.success ? parsed.data : { by: "unknown", reason: "paused", at: 0 };
}

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
      ctx.audit(actor, "control.paused", null, { reason });
      return state;
    });
  }

  resume(actor: string, reason: string): void {
    this.jobs.record((ctx) => {
      const current = readPause(ctx.store);
      if (!current) return;
      ctx.store.setMeta(PAUSE_KEY, "");
      ctx.emit("control.resumed", null, { by: actor, reason, pausedBy: current.by, pausedAt: current.at });
      ctx.audit(actor, "control.resumed", null, { reason, pausedBy: current.by, pausedSince: current.at });
    });
  }
}
