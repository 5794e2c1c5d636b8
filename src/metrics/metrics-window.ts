import { z } from "zod";

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const DURATION = /^([1-9]\d{0,5})([smhdw])$/;

/** How far back the window reaches: a whole number and a unit (`90s`, `30m`, `24h`, `7d`, `2w`). */
export const Duration = z.string().regex(DURATION, "must be a duration like 30m, 24h, 7d or 2w");

/** Milliseconds of a duration `Duration` accepted. */
export function durationMs(text: string): number {
  const m = DURATION.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** The window's start (ms since the epoch) for `since` before `now`; null (all history) without one. */
export function windowStart(now: number, since: string | undefined): number | null {
  return since === undefined ? null : now - durationMs(since);
}

/** Whether a moment falls in the window starting at `since`. */
export function inWindow(at: number, since: number | null): boolean {
  return since === null || at >= since;
}
