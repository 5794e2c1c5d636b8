import { expect, test } from "bun:test";
import { WriteContext } from "../../jobs/transition.ts";
import { workItems } from "../../planning/work-items.ts";
import type { Job } from "../../store/jobs/job-rows.ts";
import { SqliteStore } from "../../store/sqlite-store.ts";
import { onboardingKey, recordOnboarding } from "./onboarding-item.ts";

const A = "a".repeat(40);
const B = "b".repeat(40);

function checks(id: string, commit: string, state: Job["state"], failure: Job["failure"], createdAt: number): Job {
  return { id, kind: "checks", state, createdAt, input: { commit, branch: "main", commands: [] }, failure } as unknown as Job;
}

test("checks that cannot even set up a fresh worktree are one onboarding item per branch; a later green resolves it, an earlier one does not", () => {
  const store = new SqliteStore(":memory:");
  const apply = (job: Job) => store.write(() => recordOnboarding(new WriteContext(store, 10_000), job));
  const broken = { class: "environment" as const, message: "npm ci failed: package-lock.json is out of sync", evidence: { command: "npm ci" } };
  apply(checks("job_00000002", A, "failed", broken, 2));
  apply(checks("job_00000003", B, "failed", broken, 3));
  apply(checks("job_00000004", B, "failed", { class: "checks_failed", message: "unit", evidence: {} }, 4));
  const item = workItems(store).getWorkItemByKey(onboardingKey("main"))!;
  expect(item).toMatchObject({ source: "onboarding", type: "setup_fails", state: "open", title: "a fresh worktree of main cannot be set up: npm ci failed: package-lock.json is out of sync" });
  expect(item.detail).toMatchObject({ command: "npm ci", firstCommit: A, lastCommit: B, jobs: ["job_00000002", "job_00000003"] });
  apply(checks("job_00000001", A, "succeeded", null, 1));
  expect(workItems(store).getWorkItem(item.id)!.state).toBe("open");
  // A later green that set up nothing (no install, other commands) says nothing about it.
  const bare = { ...checks("job_00000006", B, "succeeded", null, 6), input: { commit: B, branch: "main", install: { packageManager: "none" }, commands: [{ name: "ok", run: "true" }] } } as unknown as Job;
  apply(bare);
  expect(workItems(store).getWorkItem(item.id)!.state).toBe("open");
  apply(checks("job_00000005", B, "succeeded", null, 5));
  expect(workItems(store).getWorkItem(item.id)!).toMatchObject({ state: "done", detail: { greenCommit: B } });
});
