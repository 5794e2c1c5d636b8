import { z } from "zod";

/** The supervised processes of one PushPals runtime. */
export const ComponentRole = z.enum(["server", "remote-agent", "review-agent", "scm", "worker"]);
export type ComponentRole = z.infer<typeof ComponentRole>;

/**
 * starting -> ready (reported by the component itself) -> stopped (clean exit) | crashed (unexpected
 * exit, will be restarted) | failed (crashed too often; not restarted until the next start).
 */
export const ComponentState = z.enum(["starting", "ready", "stopped", "crashed", "failed"]);
export type ComponentState = z.infer<typeof ComponentState>;

export const Component = z.object({
  name: z.string(),
  role: ComponentRole,
  pid: z.number().int().nullable(),
  state: ComponentState,
  workerId: z.string().nullable(),
  startedAt: z.number().int(),
  readyAt: z.number().int().nullable(),
  lastHeartbeatAt: z.number().int().nullable(),
  restarts: z.number().int(),
  lastExit: z.string().nullable(),
});
export type Component = z.infer<typeof Component>;
