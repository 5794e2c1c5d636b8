import { z } from "zod";
import { entriesMissing, entryIntact } from "../audit/entry-check.ts";
import type { Store } from "../store/store.ts";

export const PauseState = z.object({ by: z.string(), reason: z.string(), at: z.number().int() });
export type PauseState = z.infer<typeof PauseState>;

export const PAUSE_KEY = "paused";
export const PAUSE_ACTIONS = { paused: "control.paused", resumed: "control.resumed" } as const;

/**
 * The pause switch: while it is set no job is claimed and no merge moves a ref. It is set in the
 * meta table and in the audit log (`control.paused` / `control.resumed`); either saying "paused" is
 * enough, so clearing the table by hand never lifts a pause that the audit log records.
 */
export function readPause(store: Pick<Store, "getMeta" | "auditLatestOf" | "auditAt" | "auditHead" | "auditCount">): PauseState | null {
  const raw = store.getMeta(PAUSE_KEY);
  if (raw) {
    const parsed = PauseState.safeParse(parseJson(raw));
    return parsed.success ? parsed.data : { by: "unknown", reason: "paused (the pause switch holds an unreadable value)", at: 0 };
  }
  const last = store.auditLatestOf([PAUSE_ACTIONS.paused, PAUSE_ACTIONS.resumed]);
  if (!last) return null;
  // A deleted entry could have been a later pause: then the log cannot vouch for being resumed.
  const missing = entriesMissing(store);
  if (missing) return { by: "unknown", reason: `paused: ${missing}`, at: 0 };
  // A resume the chain does not vouch for lifts nothing.
  if (last.action === PAUSE_ACTIONS.resumed && entryIntact(store, last)) return null;
  const reason = typeof (last.data as { reason?: unknown } | null)?.reason === "string" ? (last.data as { reason: string }).reason : "paused";
  return { by: last.actor, reason: `${reason} (the audit log records this pause; the pause switch in the database was cleared outside PushPals)`, at: last.at };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
