import { PushpalsError } from "../../core/errors.ts";
import type { DispatchBase } from "../../planning/specialist.ts";
import type { Task } from "../../planning/task.ts";
import type { WorkItem } from "../../planning/work-item.ts";
import { flakinessScore } from "../../test-history/flakiness.ts";
import type { TestEvidence } from "./flaky-evidence.ts";
import { medicDetail, stepOf } from "./medic-steps.ts";

/** How long a quarantine counts before it expires and must be renewed with fresh evidence. */
export const QUARANTINE_DAYS = 30;
const QUARANTINE_FILE = ".pushpals/quarantine.toml";
const DAY_MS = 86_400_000;

interface QuarantinePlan {
  tests: TestEvidence[];
  triage: { job: string; commit: string };
}

function plan(item: WorkItem): QuarantinePlan {
  const { tests, triage } = medicDetail<Partial<QuarantinePlan>>(item);
  if (!Array.isArray(tests) || tests.length === 0 || !triage?.commit) throw new PushpalsError("invalid_input", `work item ${item.id} names no flaky test to quarantine`, { hint: "its triage names them; answer the item to triage again" });
  return { tests, triage };
}

/** The passing quarantined test an un-quarantine item names (filed by the server's sweep). */
function passing(item: WorkItem): { check: string; testId: string; passes: number; note: string } {
  const { check, testId, passes, note } = item.detail;
  if (typeof check !== "string" || typeof testId !== "string" || typeof passes !== "number") throw new PushpalsError("invalid_input", `work item ${item.id} names no quarantined test`, { hint: "it is filed by the quarantine sweep" });
  return { check, testId, passes, note: typeof note === "string" ? note : "" };
}

export function quarantineTask(item: WorkItem, specialist: string): Task {
  const undo = stepOf(item) === "unquarantine";
  const ids = undo ? [passing(item).testId] : plan(item).tests.map((t) => t.id);
  return {
    goal: undo ? `${ids[0]} counts again: it passed often enough in a row to leave the quarantine` : `${ids.join(", ").slice(0, 300)} stop failing ${String(item.detail.check)} while their flakiness is fixed, on the record`,
    constraints: { scope: [QUARANTINE_FILE], timeBudgetSeconds: 1_800, style: null },
    risk: "medium",
    definitionOfDone: undo
      ? [`its entry taken off ${QUARANTINE_FILE}, as a PR`, "a person approves it (a quarantine change is Medium)"]
      : [`an entry per test in ${QUARANTINE_FILE} with its evidence (runs, failures, score, commit, triage job) and an expiry ${QUARANTINE_DAYS} days out`, "a person approves the PR (Medium); no `.skip` anywhere", "the check still records the test's failures and reports them"],
    notes: [`work item ${item.id} (${item.source})`],
    specialist,
    kind: "quarantine",
  };
}

export function quarantineInput(item: WorkItem, base: DispatchBase, now = Date.now()): unknown {
  const common = { baseBranch: base.baseBranch, baseCommit: base.baseCommit, risk: "medium" };
  if (stepOf(item) === "unquarantine") {
    const { testId, passes, note } = passing(item);
    return { ...common, add: [], remove: [{ id: testId, passes, note }] };
  }
  const { tests, triage } = plan(item);
  const check = String(item.detail.check);
  const added = isoDate(now);
  const add = tests.map((t) => {
    const history = [...Array.from({ length: t.failures }, () => ({ commit: triage.commit, status: "failed" as const })), ...Array.from({ length: t.runs - t.failures }, () => ({ commit: triage.commit, status: "passed" as const }))];
    const score = Math.round(flakinessScore(history).score * 1000) / 1000;
    return {
      id: t.id,
      check,
      reason: `flaky: failed ${t.failures} of ${t.runs} runs on ${triage.commit.slice(0, 12)} (the red run and the triage's reruns of the same commit)`,
      score,
      runs: t.runs,
      failures: t.failures,
      commits: [triage.commit],
      triage_job: triage.job,
      added,
      expires: isoDate(now + QUARANTINE_DAYS * DAY_MS),
      requested_by: "pushpals:ci-medic",
      approval: "pr",
    };
  });
  return { ...common, add, remove: [] };
}

function isoDate(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}
