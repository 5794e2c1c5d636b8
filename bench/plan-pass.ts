/**
 * One planning pass (issue #15): with 1,000 active work items and 200 merged PRs in the store, the
 * work of `GET /plan` (read every item, rank, holds, caps) and of `GET /report` (read the PRs, build
 * the four sections) on the real SQLite store. Median and p99 over the runs.
 * Run: bun bench/plan-pass.ts [--items=1000] [--prs=200] [--runs=50]
 */
import { newId } from "../src/core/ids.ts";
import { planWork } from "../src/planning/plan.ts";
import { SPECIALIST_SPECS } from "../src/specialists/registry.ts";
import { buildReport } from "../src/planning/report.ts";
import type { WorkItem } from "../src/planning/work-item.ts";
import { workItems } from "../src/planning/work-items.ts";
import { pullRequests } from "../src/prs/pr-store.ts";
import type { PullRequest } from "../src/prs/pr-types.ts";
import { numArg, percentile, tempStore, verdict } from "./bench-util.ts";

const TARGET_MS = 100;
const itemCount = numArg("items", 1000);
const prCount = numArg("prs", 200);
const runs = Math.max(1, numArg("runs", 50));
const SOURCES = ["directive", "failing_build", "backlog", "pr_followup", "onboarding"] as const;
const sha = (n: number) => n.toString(16).padStart(40, "0");

const { store, dispose } = tempStore("plan-pass");
try {
  const now = Date.now();
  store.write(() => {
    for (let i = 0; i < itemCount; i++) {
      const item: WorkItem = {
        id: newId("wi"), dedupeKey: `bench:${i}`, source: SOURCES[i % SOURCES.length]!, type: i % 3 === 0 ? "codemod" : "backlog_task", title: `item ${i}`,
        priority: i % 100, state: i % 10 === 0 ? "dispatched" : "open", risk: null, scope: ["src/**"], labels: [], notes: null, createdBy: "os:bench",
        createdAt: now - i * 1000, updatedAt: now, question: null, answer: null,
        detail: i % 3 === 0 ? { command: "true", specialist: "codemod-runner", dispatchedAt: [now - i * 1000] } : {},
      };
      workItems(store).insertWorkItem(item);
    }
    for (let i = 0; i < prCount; i++) {
      const checks = { state: "passed", sha: sha(i + 1), tree: sha(i + 7), results: [{ name: "test", run: "npm test", exitCode: 0, signal: null, durationMs: 1000 }] };
      const pr = {
        jobId: newId("job"), title: `PR ${i}`, body: "", baseBranch: "main", baseSha: sha(i), headBranch: `pushpals/${i}`, headSha: sha(i + 1), risk: "low", role: "codemod",
        scope: ["src/**"], files: [{ path: "src/a.ts", status: "M" }], checks, rfcFor: null, provider: "local", remote: null, state: "merged", createdBy: "os:bench",
        createdAt: now - 1000, updatedAt: now - 500, mergeJobId: null, merge: { mergedSha: sha(i + 1), previousBaseSha: sha(i), checks, rebased: false, checkedOutAt: [] },
        lastMergeFailure: null, closedReason: null, review: null, classification: { tier: "low", reasons: [] }, approvals: [], rejections: [],
      } as unknown as Omit<PullRequest, "number">;
      pullRequests(store).insertPullRequest(pr);
    }
  });
  const plans: number[] = [];
  const reports: number[] = [];
  let entries = 0;
  let shipped = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const plan = planWork(workItems(store).listWorkItems({ limit: 5000 }), { now: Date.now(), pause: null, specialists: SPECIALIST_SPECS });
    const t1 = performance.now();
    const report = buildReport(pullRequests(store).listPullRequests({ state: "merged", limit: 5000 }), plan, now - 86_400_000, Date.now());
    const t2 = performance.now();
    plans.push(t1 - t0);
    reports.push(t2 - t1);
    entries = plan.entries.length;
    shipped = report.shipped.length;
  }
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const p = sorted(plans);
  const q = sorted(reports);
  console.log(`plan-pass: ${itemCount} work items, ${prCount} merged PRs, ${runs} runs (real SQLite store)`);
  console.log(`  plan (read items, rank, holds, caps)   median ${percentile(p, 0.5).toFixed(1)} ms  p99 ${percentile(p, 0.99).toFixed(1)} ms  (${entries} entries)`);
  console.log(`  report (read PRs, four sections)      median ${percentile(q, 0.5).toFixed(1)} ms  p99 ${percentile(q, 0.99).toFixed(1)} ms  (${shipped} shipped)`);
  verdict(percentile(p, 0.5) + percentile(q, 0.5) < TARGET_MS, `one planning pass over ${itemCount} items and ${prCount} PRs: median ${(percentile(p, 0.5) + percentile(q, 0.5)).toFixed(1)} ms (target < ${TARGET_MS} ms)`);
} catch (err) {
  verdict(false, `plan-pass: ${(err as Error).message}`);
} finally {
  dispose();
}
