import { dayStart, type QuarantineEntry, type QuarantineFile } from "./quarantine-entry.ts";

/**
 * The entries that count for `check` at `now`: that check's, from their `added` date until their
 * `expires` date (00:00 UTC each). An expired entry, or one dated in the future, counts for nothing.
 */
export function activeEntries(file: Pick<QuarantineFile, "entries">, check: string, now: number | Date = Date.now()): QuarantineEntry[] {
  const at = typeof now === "number" ? now : now.getTime();
  return file.entries.filter((e) => e.check === check && (dayStart(e.added) ?? Infinity) <= at && at < (dayStart(e.expires) ?? -Infinity));
}

/**
 * Splits a check's failed tests: those an (active) entry names exactly, whose failure no longer fails
 * the check (still recorded and reported), and the rest, which fail it as before. Order kept.
 */
export function applyQuarantine(failedIds: readonly string[], entries: readonly Pick<QuarantineEntry, "id">[]): { quarantined: string[]; stillFailing: string[] } {
  const listed = new Set(entries.map((e) => e.id));
  const quarantined: string[] = [];
  const stillFailing: string[] = [];
  for (const id of failedIds) (listed.has(id) ? quarantined : stillFailing).push(id);
  return { quarantined, stillFailing };
}
