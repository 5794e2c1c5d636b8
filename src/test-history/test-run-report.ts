import { z } from "zod";
import { Sha } from "../core/sha.ts";
import { CheckTests } from "../test-results/check-tests.ts";

/** A check's name (`[[checks]] name` in the config) and a run's key within a job attempt are at most this long. */
export const MAX_CHECK_NAME = 64;
export const MAX_RUN_KEY = 64;

/**
 * The tests of one run of one check, as a worker records them for the job it holds
 * (`ctx.recordTests`, `POST /jobs/:id/tests`). `run` is unique within the job's attempt
 * (`test#0`, `test#triage-2`): recording the same run again records nothing twice.
 */
export const TestRunReport = z.object({
  commit: Sha,
  check: z.string().min(1).max(MAX_CHECK_NAME),
  run: z.string().min(1).max(MAX_RUN_KEY),
  tests: CheckTests,
});
export type TestRunReport = z.infer<typeof TestRunReport>;

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), "utf8");

/**
 * A report cut into parts whose JSON is at most `maxBytes` each (the server's body limit leaves
 * room for the lease fields): each part is the same run, with some of its outcomes and the
 * quarantined ids among them. A report that fits is one part; one with no outcomes is none. An
 * outcome too large for a part on its own still goes alone (the server then refuses it).
 */
export function splitTestRunReport(report: TestRunReport, maxBytes: number): TestRunReport[] {
  const { outcomes, quarantined } = report.tests;
  if (outcomes.length === 0) return [];
  if (bytes(report) <= maxBytes) return [report];
  const held = new Set(quarantined);
  const envelope = bytes({ ...report, tests: { ...report.tests, outcomes: [], quarantined: [] } });
  const parts: TestRunReport[] = [];
  let part: typeof outcomes = [];
  let size = envelope;
  const flush = () => {
    parts.push({ ...report, tests: { ...report.tests, outcomes: part, quarantined: part.filter((o) => held.has(o.id)).map((o) => o.id) } });
    part = [];
    size = envelope;
  };
  for (const outcome of outcomes) {
    // The outcome and its comma; a quarantined one also its id in `quarantined`.
    const cost = bytes(outcome) + 1 + (held.has(outcome.id) ? bytes(outcome.id) + 1 : 0);
    if (part.length > 0 && size + cost > maxBytes) flush();
    part.push(outcome);
    size += cost;
  }
  flush();
  return parts;
}
