import { z } from "zod";
import { CheckCommand } from "../../config/check-settings.ts";
import { Sha } from "../../core/sha.ts";
import { MAX_TEST_ID } from "../../test-results/test-outcome.ts";

/** Failed tests a triage run keeps by id: more than this is not a flake but a broken build. */
export const MAX_TRIAGE_TESTS = 200;

/** How often a triage runs the check: enough to tell flaky from broken, bounded so one job stays short. */
export const MAX_TRIAGE_RUNS = 10;

/**
 * `triage`: the CI Medic's look at one failing check on one commit. Built by the server (the RemoteAgent's
 * dispatch) only; the install settings come from the config committed at `commit`, never from here.
 */
export const TriageInput = z.strictObject({
  commit: Sha,
  /** The branch the check failed on, when it is a branch's failing build: data for whoever reads the verdict. */
  branch: z.string().min(1).max(255).regex(/^[^\s~^:?*[\\]+$/, "must be a branch name").nullable().default(null),
  check: CheckCommand,
  runs: z.number().int().min(1).max(MAX_TRIAGE_RUNS).default(3),
  commandTimeoutSeconds: z.number().int().min(1).max(3600).default(900),
});
export type TriageInput = z.infer<typeof TriageInput>;

/** Why a run says nothing about the check itself: it ran past its time limit, or this machine could not run it. */
export const TriageFailureClass = z.enum(["timeout", "environment"]);
export type TriageFailureClass = z.infer<typeof TriageFailureClass>;

/** One run of the check in a fresh checkout of the commit. */
export const TriageRun = z.strictObject({
  /** 1-based; the command saw it as PUSHPALS_TRIAGE_RUN. */
  run: z.number().int().min(1).max(MAX_TRIAGE_RUNS),
  /** Null when the command never ran (its dependencies could not be prepared) or was killed. */
  exitCode: z.number().int().nullable(),
  signal: z.string().max(32).nullable(),
  /** The check command's own time; when it never ran, the time spent getting to it. */
  durationMs: z.number().int().nonnegative(),
  /** Null for a run that passed or failed on its own; else why it is the machine's, not the check's. */
  failureClass: TriageFailureClass.nullable(),
  /** For a `failureClass`: what went wrong and the fix (check-failure-class.ts, the install's own message). */
  reason: z.string().max(4096).optional(),
  /** The run's last output lines (install and check), redacted as log lines are. */
  logExcerpt: z.string().max(8192),
  /** Whether the check's test report was read in this run (its `report` in the config). */
  reportRead: z.boolean().default(false),
  /** The tests that failed or errored in this run, by id, when the report was read (quarantined ones too). */
  failedTests: z.array(z.string().min(1).max(MAX_TEST_ID)).max(MAX_TRIAGE_TESTS).default([]),
});
export type TriageRun = z.infer<typeof TriageRun>;

/**
 * `broken`: every run failed the same way; `flaky`: the runs disagree; `infrastructure`: a run timed out or
 * this machine could not run it; `passes`: every run passed.
 */
export const TriageVerdict = z.enum(["broken", "flaky", "infrastructure", "passes"]);
export type TriageVerdict = z.infer<typeof TriageVerdict>;

/** The job succeeds with this in every verdict: the triage itself worked. */
export const TriageResult = z.strictObject({
  commit: Sha,
  /** The check's name. */
  check: z.string().min(1).max(64),
  verdict: TriageVerdict,
  runs: z.array(TriageRun).min(1).max(MAX_TRIAGE_RUNS),
  passed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
});
export type TriageResult = z.infer<typeof TriageResult>;
