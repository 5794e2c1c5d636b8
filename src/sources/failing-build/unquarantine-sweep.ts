import type { JobService } from "../../jobs/job-service.ts";
import { upsertWorkItem, workItems } from "../../planning/work-items.ts";
import { checkedOutBranch, resolveCommit } from "../../scm/branches.ts";
import { testSummary } from "../../test-history/test-history-service.ts";
import { activeEntries } from "../../test-quarantine/apply-quarantine.ts";
import { quarantineAt } from "../../test-quarantine/quarantine-at.ts";

const SERVER = "server";
const MIN_INTERVAL_MS = 10_000;

/** `unquarantine:<check>:<test id>`: one item per quarantined test that passes again. */
export function unquarantineKey(check: string, testId: string): string {
  return `unquarantine:${check}:${testId}`.slice(0, 512);
}

/**
 * The server's look at the quarantine committed on the base branch's head: a quarantined test whose
 * newest runs passed `passesNeeded` times in a row (skips neither count nor break the streak) becomes a
 * `quarantined_test_passing` item, which the CI Medic turns into an un-quarantine PR. Each head's file is
 * read once (through git); the streaks are read from the test history every sweep. An expired entry is
 * no longer quarantined (it stopped counting), so it is not asked about.
 */
export function unquarantineSweep(jobs: JobService, repoRoot: string, baseBranch: string | null, passesNeeded: number): () => Promise<number> {
  let running = false;
  let head: string | null = null;
  let entries: Awaited<ReturnType<typeof quarantineAt>>["entries"] = [];
  let lastRun = 0;
  return async () => {
    // The streaks change only as checks run: a look every few seconds is plenty.
    if (running || Date.now() - lastRun < MIN_INTERVAL_MS) return 0;
    running = true;
    lastRun = Date.now();
    try {
      const branch = baseBranch ?? (await checkedOutBranch(repoRoot));
      if (!branch) return 0;
      const commit = await resolveCommit(repoRoot, `refs/heads/${branch}`);
      if (!commit) return 0;
      if (commit !== head) {
        entries = (await quarantineAt(repoRoot, commit)).entries;
        head = commit;
      }
      let filed = 0;
      const now = Date.now();
      for (const entry of entries) {
        if (!activeEntries({ entries: [entry] }, entry.check, now).length) continue;
        const summary = testSummary(jobs.store, { check: entry.check, testId: entry.id });
        if (!summary || summary.consecutivePasses < passesNeeded) continue;
        filed += jobs.record((ctx) => {
          // Asked once per entry: an item a person dropped (or that shipped) is not filed again for the same entry.
          const earlier = workItems(ctx.store).getWorkItemByKey(unquarantineKey(entry.check, entry.id));
          if (earlier && (earlier.state === "done" || earlier.state === "dropped") && earlier.detail.added === entry.added) return 0;
          const item = upsertWorkItem(ctx, SERVER, {
            dedupeKey: unquarantineKey(entry.check, entry.id),
            source: "failing_build",
            type: "quarantined_test_passing",
            title: `quarantined ${entry.id.slice(0, 200)} passed ${summary.consecutivePasses} runs in a row`,
            priority: 30,
            risk: "medium",
            scope: [],
            labels: [],
            notes: `quarantined on ${entry.added} (${entry.reason}); it counts again once its entry is taken off .pushpals/quarantine.toml`,
            createdBy: SERVER,
            detail: { check: entry.check, testId: entry.id, added: entry.added, passes: summary.consecutivePasses, branch, note: `passed its last ${summary.consecutivePasses} runs (last seen ${new Date(summary.lastSeen).toISOString()})` },
          });
          return item.createdAt === ctx.now ? 1 : 0;
        });
      }
      return filed;
    } finally {
      running = false;
    }
  };
}
