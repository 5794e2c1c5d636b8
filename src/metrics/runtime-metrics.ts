import type { AuditEntry } from "../store/audit/audit-chain.ts";
import { onlineData } from "./metrics-history.ts";
import type { MetricsSnapshot } from "./metrics-snapshot.ts";
import { median, seconds } from "./stats.ts";

/** Install to first PR (definitions.ts, `installToFirstPr`): the first `server.started` to the first `pr.opened`. */
export function installToFirstPr(firstServerStart: AuditEntry | null, firstPrOpened: AuditEntry | null): MetricsSnapshot["install"] {
  const installedAt = firstServerStart?.at ?? null;
  const firstPrOpenedAt = firstPrOpened?.at ?? null;
  const ms = installedAt !== null && firstPrOpenedAt !== null && firstPrOpenedAt >= installedAt ? firstPrOpenedAt - installedAt : null;
  return { installedAt, firstPrOpenedAt, secondsToFirstPr: seconds(ms) };
}

/** Time to "all systems online" (definitions.ts, `timeToOnline`), from the `supervisor.online` entries, oldest first. */
export function timeToOnline(runs: readonly AuditEntry[]): MetricsSnapshot["online"] {
  const measured = runs.map(onlineData).filter((r): r is NonNullable<typeof r> => r !== null && r.onlineAt >= r.startedAt);
  const last = measured.at(-1) ?? null;
  return {
    runs: measured.length,
    lastOnlineAt: last?.onlineAt ?? null,
    lastSeconds: last ? seconds(last.onlineAt - last.startedAt) : null,
    medianSeconds: seconds(median(measured.map((r) => r.onlineAt - r.startedAt))),
  };
}
