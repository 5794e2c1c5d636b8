import { routes } from "../../api/routes.ts";
import type { ApiClient } from "../../client/api-client.ts";
import type { PushpalsConfig } from "../../config/schema.ts";
import { checksAtBase } from "../../kinds/common/checks-at-base.ts";
import { watch, type FSWatcher } from "node:fs";
import { join } from "node:path";
import { resolveCommit } from "../../scm/branches.ts";

/**
 * Failing builds as a source of work: each new head of the base branch gets its checks, the ones its
 * committed config names (same dedupe key as `pushpals check`), so a red check becomes its work item; with
 * `check_base_every_seconds`, the same head is checked again on that schedule (a flaky or
 * time-dependent check turns red without a commit).
 */
export class BaseWatch {
  private lastHead: string | null = null;
  private lastLook = 0;
  private lastQueued = 0;
  private watchers: FSWatcher[] = [];
  private warned = false;

  constructor(
    private readonly options: { client: ApiClient; repoRoot: string; baseBranch: string; config: () => PushpalsConfig; say: (line: string) => void; intervalMs?: number },
  ) {}

  /**
   * Event-driven: a change under `refs/heads/` (a commit, a merge, a fetch) or of `packed-refs` makes
   * the next look happen at once, and calls `onMove` (the loop turns now). The poll stays as the net
   * for a file system that sends no events.
   */
  watchRefs(gitCommonDir: string, onMove: () => void): void {
    const moved = () => {
      this.lastLook = 0;
      onMove();
    };
    try {
      this.watchers.push(watch(join(gitCommonDir, "refs", "heads"), { recursive: true }, moved));
      this.watchers.push(watch(gitCommonDir, (_, file) => file === "packed-refs" && moved()));
    } catch (err) {
      this.options.say(`cannot watch the branches (${(err as Error).message}): the base is looked at every ${(this.options.intervalMs ?? 2_000) / 1000} s`);
    }
  }

  stop(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }

  /** Checks the base head once; queues its checks when it moved. Returns the commit queued, if any. */
  async once(): Promise<string | null> {
    const { client, repoRoot, baseBranch, config, say } = this.options;
    // A git process per look: at most one every `intervalMs`, however often the loop turns.
    if (Date.now() - this.lastLook < (this.options.intervalMs ?? 2_000)) return null;
    this.lastLook = Date.now();
    const head = await resolveCommit(repoRoot, `refs/heads/${baseBranch}`);
    const every = config().remote_agent.check_base_every_seconds * 1000;
    const due = every > 0 && Date.now() - this.lastQueued >= every;
    if (!head || (head === this.lastHead && !due)) return null;
    // The head's own checks, as its committed config names them (what a merge onto it runs, and what the CI Medic reruns).
    const atHead = await checksAtBase(repoRoot, head).catch((err: Error) => {
      say(`cannot read the checks of ${baseBranch} at ${head.slice(0, 12)}: ${err.message.split("\n")[0]}`);
      return null;
    });
    if (!atHead || atHead.commands.length === 0) {
      if (atHead && !this.warned) say(`no checks are configured at ${head.slice(0, 12)}: new heads of ${baseBranch} are not checked (add [[checks.commands]] and commit it)`);
      this.warned = true;
      this.lastHead = head;
      this.lastQueued = Date.now();
      return null;
    }
    const input = { commit: head, branch: baseBranch, commands: atHead.commands, timeoutSeconds: atHead.timeoutSeconds, install: atHead.install };
    const { job, deduped } = await client.call(routes.enqueueJob, { body: { kind: "checks", input, dedupeKey: `checks:${head}`, maxAttempts: config().jobs.max_attempts } });
    const scheduled = head === this.lastHead;
    this.lastHead = head;
    this.lastQueued = Date.now();
    if (!deduped) say(`checking ${baseBranch} at ${head.slice(0, 12)}${scheduled ? " (on schedule)" : ""}: job ${job.id}`);
    return head;
  }
}
