import { expect, test } from "bun:test";
import type { PullRequest } from "../prs/pr-types.ts";
import type { Job } from "../store/jobs/job-rows.ts";
import { conflictResolutions } from "./conflict-metrics.ts";
import type { JobRecord } from "./metrics-history.ts";
import { approvedToMerged } from "./pr-metrics.ts";

/** The edges of the two new metrics on hand-made records; metrics.test.ts checks them on a seeded history. */

const record = (kind: string, state: Job["state"], result: unknown): JobRecord => ({ job: { kind, state, result } as Job, transitions: [] });
const files = (...strategies: string[]) => strategies.map((strategy, i) => ({ path: `f${i}`, strategy, notes: [], hunks: null }));

test("conflicts: only succeeded resolve-conflict jobs count; a head counts its files, an unresolved file a person's turn", () => {
  const m = conflictResolutions([
    record("resolve-conflict", "succeeded", { prNumber: 1, pr: { headSha: "a" }, files: files("lockfile", "lockfile", "json", "rerere") }),
    record("resolve-conflict", "succeeded", { prNumber: 2, files: files("json", "unresolved", "unresolved") }),
    record("resolve-conflict", "succeeded", { prNumber: 3, files: [] }),
    // Failed on its checks after resolving: nothing resolved, no one asked.
    record("resolve-conflict", "failed", null),
    record("resolve-conflict", "running", null),
    // Another kind's result that looks like one, and a strategy the metrics do not know (counted nowhere).
    record("run", "succeeded", { pr: { headSha: "b" }, files: files("lockfile") }),
    record("resolve-conflict", "succeeded", { prNumber: 4, pr: { headSha: "c" }, files: [{ path: "x", strategy: "guess" }, { path: "y" }] }),
  ]);
  expect(m).toEqual({ resolved: 2, byStrategy: { lockfile: 2, json: 1, changelog: 0, rerere: 1, structured: 0, model: 0 }, manualInterventions: 1, rate: 2 / 3 });
  expect(conflictResolutions([record("resolve-conflict", "succeeded", null)])).toEqual({ resolved: 0, byStrategy: { lockfile: 0, json: 0, changelog: 0, rerere: 0, structured: 0, model: 0 }, manualInterventions: 0, rate: null });
});

test("approved-to-merged: the approved PRs the history read, merged over all", () => {
  const pr = (state: PullRequest["state"]) => ({ state }) as PullRequest;
  expect(approvedToMerged([pr("merged"), pr("open"), pr("closed"), pr("merged")])).toEqual({ approved: 4, merged: 2, rate: 0.5 });
  expect(approvedToMerged([])).toEqual({ approved: 0, merged: 0, rate: null });
});
