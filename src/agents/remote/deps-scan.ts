import type { ApiClient } from "../../client/api-client.ts";
import type { PushpalsConfig } from "../../config/schema.ts";
import { resolveCommit } from "../../scm/branches.ts";
import { git } from "../../scm/git.ts";
import { PeriodicScan } from "./periodic-scan.ts";

/**
 * Dependency updates as a source of work: asks for a `deps-scan` of the base branch's head at start and
 * then every `dependency_steward.scan_every_seconds`, when that head has a root package.json (a
 * repository without one has no npm dependencies to keep current).
 */
export function depsScanSchedule(options: { client: ApiClient; repoRoot: string; baseBranch: string; config: () => PushpalsConfig; say: (line: string) => void; now?: () => number }): PeriodicScan {
  const { config, repoRoot, baseBranch } = options;
  return new PeriodicScan({
    ...options,
    every: () => config().dependency_steward.scan_every_seconds * 1000,
    request: async () => {
      const head = await resolveCommit(repoRoot, `refs/heads/${baseBranch}`);
      if (!head) return null;
      const manifest = await git(["cat-file", "-e", `${head}:package.json`], { cwd: repoRoot, allowFailure: true });
      if (manifest.exitCode !== 0) return null;
      return { kind: "deps-scan", input: { branch: baseBranch, commit: head }, maxAttempts: config().jobs.max_attempts, says: `scanning the dependencies of ${baseBranch} at ${head.slice(0, 12)}` };
    },
  });
}
