/** For tests only: a quarantine entry with full, flaky evidence. */
import type { QuarantineEntry } from "./quarantine-entry.ts";

export function entry(over: Partial<QuarantineEntry> = {}): QuarantineEntry {
  return {
    id: "src/a.test.ts > math > adds",
    check: "test",
    reason: "failed 2 of 5 reruns",
    score: 0.4,
    runs: 5,
    failures: 2,
    commits: ["a".repeat(40)],
    triage_job: "job_0123456789abcdef",
    added: "2025-01-10",
    expires: "2025-02-09",
    requested_by: "pushpals:ci-medic",
    approval: "pr",
    ...over,
  };
}
