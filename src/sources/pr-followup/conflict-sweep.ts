import type { JobService } from "../../jobs/job-service.ts";
import { pullRequests } from "../../prs/pr-store.ts";
import { resolveCommit } from "../../scm/branches.ts";
import { wouldConflict } from "../../scm/would-conflict.ts";
import { git } from "../../scm/git.ts";
import { resolve } from "node:path";

/** Open PRs looked at per sweep (the rest wait for the next one). */
const MAX_PER_SWEEP = 50;

/**
 * The server's check of mergeability: when a PR's base branch moves (or the PR does), a dry merge of its
 * head onto the base's head (`wouldConflict`: no ref, index or file touched, the PR not rewritten)
 * records on the PR whether it would conflict, and in which files; the PR follow-up source then files
 * it as a `pr_conflict` item. Each pair of heads is looked at once; one sweep at a time.
 */
export function prConflictSweep(jobs: JobService, repoRoot: string): () => Promise<number> {
  const looked = new Map<number, string>();
  let objectsDir: string | null = null;
  let running = false;
  return async () => {
    if (running) return 0;
    running = true;
    try {
      objectsDir ??= resolve(repoRoot, (await git(["rev-parse", "--git-path", "objects"], { cwd: repoRoot })).stdout.trim());
      let changed = 0;
      const open = pullRequests(jobs.store).listPullRequests({ state: "open", limit: 1_000 });
      const live = new Set(open.map((p) => p.number));
      for (const n of looked.keys()) if (!live.has(n)) looked.delete(n);
      let budget = MAX_PER_SWEEP;
      const heads = new Map<string, string | null>();
      for (const pr of open) {
        if (!heads.has(pr.baseBranch)) heads.set(pr.baseBranch, await resolveCommit(repoRoot, `refs/heads/${pr.baseBranch}`));
        const base = heads.get(pr.baseBranch);
        if (!base) continue;
        const key = `${base}:${pr.headSha}`;
        if (looked.get(pr.number) === key) continue;
        if (budget-- <= 0) break;
        const files = await wouldConflict(repoRoot, objectsDir, base, pr.headSha);
        looked.set(pr.number, key);
        if (files === null) continue;
        const conflict = files.length > 0 ? { baseSha: base, files: files.slice(0, 100) } : null;
        changed += jobs.record((ctx) => {
          const now = pullRequests(ctx.store).getPullRequest(pr.number);
          if (!now || now.state !== "open" || now.headSha !== pr.headSha) return 0;
          if (JSON.stringify(now.conflict ?? null) === JSON.stringify(conflict)) return 0;
          pullRequests(ctx.store).updatePullRequest({ ...now, conflict, updatedAt: ctx.now });
          ctx.audit("server", conflict ? "pr.conflict_found" : "pr.conflict_gone", `pr#${pr.number}`, conflict ? { baseSha: base, files: conflict.files } : { baseSha: base });
          return 1;
        });
      }
      return changed;
    } finally {
      running = false;
    }
  };
}
