import type { Job, Transition } from "../api/records.ts";

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

export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  ")).join("\n");
}

export function jobsTable(jobs: Job[]): string {
  if (jobs.length === 0) return "no jobs";
  const rows = [["ID", "KIND", "STATE", "ATTEMPT", "PRIO", "AGE", "FAILURE"]];
  for (const j of jobs) {
    rows.push([j.id, j.kind, j.state, `${j.attempt}/${j.maxAttempts}`, String(j.priority), age(j.createdAt), j.failure ? `${j.failure.class}: ${j.failure.message}` : ""]);
  }
  return table(rows);
}

export function jobDetail(job: Job, transitions: Transition[]): string {
  const lines = [
    `job ${job.id}`,
    `  kind       ${job.kind}`,
    `  state      ${job.state}${job.cancelRequested && job.state === "running" ? " (cancel requested)" : ""}`,
    `  attempt    ${job.attempt} of ${job.maxAttempts}`,
    `  priority   ${job.priority}`,
    ...(job.dedupeKey ? [`  dedupe     ${job.dedupeKey}`] : []),
    ...(job.workerId && job.state === "running" ? [`  worker     ${job.workerId} (lease until ${new Date(job.leaseExpiresAt ?? 0).toISOString()})`] : []),
    ...(job.blockedReason ? [`  blocked    ${job.blockedReason}`] : []),
    `  created    ${new Date(job.createdAt).toISOString()} by ${job.createdBy}`,
    `  logs       ${job.logLines} lines${job.logDropped ? ` (${job.logDropped} oldest dropped)` : ""}`,
  ];
  if (job.failure) {
    lines.push(`  failure    ${job.failure.class}: ${job.failure.message}`);
    const ev = job.failure.evidence;
    if (ev.command) lines.push(`  command    ${ev.command}`);
    if (ev.exitCode !== undefined) lines.push(`  exit code  ${ev.exitCode ?? ev.signal}`);
    if (ev.paths?.length) lines.push(`  paths      ${ev.paths.slice(0, 20).join(", ")}${ev.paths.length > 20 ? ` (+${ev.paths.length - 20} more)` : ""}`);
    if (ev.logExcerpt) lines.push("  log excerpt:", ...ev.logExcerpt.split("\n").slice(-15).map((l) => `    | ${l}`));
  }
  lines.push("  history:");
  for (const t of transitions) {
    lines.push(`    ${new Date(t.at).toISOString()}  ${(t.from ?? "-").padEnd(10)} -> ${t.to.padEnd(10)} ${t.actor}: ${t.reason}`);
  }
  return lines.join("\n");
}
