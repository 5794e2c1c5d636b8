import type { Job, Transition } from "../api/records.ts";
import { visible, visibleLines } from "../core/safe-text.ts";

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function age(from: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - from) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** Bytes as people read memory sizes: `18.2 MiB`, `1.4 GiB`. */
export function mebibytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return mib >= 1024 ? `${(mib / 1024).toFixed(1)} GiB` : `${mib.toFixed(1)} MiB`;
}

/** A table cell: raw text, or raw text with PushPals' own style, applied after the text is made safe and padded. */
export type Cell = string | { text: string; paint: (text: string) => string };

/** Rows of raw values: each cell is made visible (safe-text.ts) here, then padded, then painted. */
export function table(rows: Cell[][]): string {
  const shown = rows.map((r) => r.map((cell) => (typeof cell === "string" ? { text: visible(cell), paint: null } : { text: visible(cell.text), paint: cell.paint })));
  const widths = shown[0]?.map((_, i) => Math.max(...shown.map((r) => r[i]?.text.length ?? 0))) ?? [];
  return shown
    .map((r) =>
      r
        .map(({ text, paint }, i) => {
          const padding = i === r.length - 1 ? "" : " ".repeat(Math.max(0, (widths[i] ?? 0) - text.length));
          return `${paint ? paint(text) : text}${padding}`;
        })
        .join("  "),
    )
    .join("\n");
}

export function jobsTable(jobs: Job[]): string {
  if (jobs.length === 0) return "no jobs";
  const rows = [["ID", "KIND", "STATE", "ATTEMPT", "PRIO", "AGE", "FAILURE"]];
  for (const j of jobs) {
    rows.push([j.id, j.kind, j.state, `${j.attempt}/${j.maxAttempts}`, String(j.priority), age(j.createdAt), j.failure ? `${j.failure.class}: ${j.failure.message}` : ""]);
  }
  return table(rows);
}

/** `pushpals job`: every value from the server is made visible; a log excerpt keeps its lines, each behind `    | `. */
export function jobDetail(job: Job, transitions: Transition[], more: string[] = []): string {
  const v = visible;
  const lines = [
    `job ${v(job.id)}`,
    `  kind       ${v(job.kind)}`,
    `  state      ${v(job.state)}${job.cancelRequested && job.state === "running" ? " (cancel requested)" : ""}`,
    `  attempt    ${job.attempt} of ${job.maxAttempts}`,
    `  priority   ${job.priority}`,
    ...(job.dedupeKey ? [`  dedupe     ${v(job.dedupeKey)}`] : []),
    ...(job.workerId && job.state === "running" ? [`  worker     ${v(job.workerId)} (lease until ${new Date(job.leaseExpiresAt ?? 0).toISOString()})`] : []),
    ...(job.blockedReason ? [`  blocked    ${v(job.blockedReason)}`] : []),
    `  created    ${new Date(job.createdAt).toISOString()} by ${v(job.createdBy)}`,
    `  logs       ${job.logLines} lines${job.logDropped ? ` (${job.logDropped} oldest dropped)` : ""}`,
    // Lines of the caller's own, already made visible (the model usage).
    ...more,
  ];
  if (job.failure) {
    lines.push(`  failure    ${v(job.failure.class)}: ${v(job.failure.message)}`);
    const ev = job.failure.evidence;
    if (ev.command) lines.push(`  command    ${v(ev.command)}`);
    if (ev.exitCode !== undefined) lines.push(`  exit code  ${v(String(ev.exitCode ?? ev.signal))}`);
    if (ev.paths?.length) lines.push(`  paths      ${ev.paths.slice(0, 20).map(v).join(", ")}${ev.paths.length > 20 ? ` (+${ev.paths.length - 20} more)` : ""}`);
    if (ev.logExcerpt) lines.push("  log excerpt:", ...visibleLines(ev.logExcerpt).slice(-15).map((l) => `    | ${l}`));
  }
  lines.push("  history:");
  for (const t of transitions) {
    lines.push(`    ${new Date(t.at).toISOString()}  ${v(t.from ?? "-").padEnd(10)} -> ${v(t.to).padEnd(10)} ${v(t.actor)}: ${v(t.reason)}`);
  }
  return lines.join("\n");
}

/** A commit as people are shown it: its first 12 characters. */
export function shortSha(sha: string): string {
  return visible(sha.slice(0, 12));
}
