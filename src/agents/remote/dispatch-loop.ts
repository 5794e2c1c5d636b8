import { routes } from "../../api/routes.ts";
import type { ApiClient } from "../../client/api-client.ts";
import { isPushpalsError } from "../../core/errors.ts";
import { failpoint } from "../../faults/failpoint.ts";
import { visible } from "../../core/safe-text.ts";
import type { BaseWatch } from "./base-watch.ts";
import type { PeriodicScan } from "./periodic-scan.ts";

export interface DispatchLoopOptions {
  client: ApiClient;
  baseBranch: string;
  say: (line: string) => void;
  /** How often the plan is read again (a red base's item is dispatched within this, plus one call). */
  tickMs?: number;
  /** Each turn first looks at the base branch's head (new heads get their checks). */
  baseWatch?: BaseWatch;
  /** And asks for a scan of the labelled GitHub issues when one is due. */
  issueScan?: PeriodicScan;
  depsScan?: PeriodicScan;
}

/**
 * The foreman's loop: reads the plan and dispatches the first item nothing holds, one per turn, so
 * caps are read again before the next. Paused, it dispatches nothing. Every dispatch is the server's
 * own idempotent transaction, so a RemoteAgent killed mid-dispatch and restarted makes no second job.
 */
export class DispatchLoop {
  private stopped = false;
  /** Items whose dispatch failed for a reason a retry cannot fix: skipped, so one bad item never stalls the rest. */
  private readonly refused = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private turning = false;

  constructor(private readonly options: DispatchLoopOptions) {}

  start(): void {
    void this.turn();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Turn now rather than at the next tick (a branch moved); a turn under way is not doubled. */
  wake(): void {
    if (this.stopped || this.turning) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    void this.turn();
  }

  /** One turn: at most one dispatch. Returns the dispatched item's id, if any. */
  async once(): Promise<string | null> {
    const { client, baseBranch, say } = this.options;
    await this.options.baseWatch?.once().catch((err: Error) => say(`could not check ${baseBranch}: ${err.message.split("\n")[0]}`));
    await this.options.issueScan?.once().catch((err: Error) => say(`could not ask for an issue scan: ${err.message.split("\n")[0]}`));
    await this.options.depsScan?.once().catch((err: Error) => say(`could not ask for a dependency scan: ${err.message.split("\n")[0]}`));
    const plan = await client.call(routes.plan);
    if (plan.paused) return null;
    const next = plan.entries.find((e) => e.item.state === "open" && e.holds.length === 0 && !this.refused.has(e.item.id));
    if (!next) return null;
    try {
      const { item, job, deduped } = await client.call(routes.dispatchWorkItem, { params: { id: next.item.id }, body: { baseBranch } });
      await failpoint("remote-agent.dispatched");
      if (!job) {
        say(`${next.item.id} (${visible(next.item.title)}) stopped to ask (${item.escalation ?? "blocked"}): ${visible(item.question ?? "")}`);
        return null;
      }
      say(`dispatched ${next.item.id} (${visible(next.item.title)}) to ${next.specialist} as job ${job.id}${deduped ? " (already dispatched)" : ""}`);
      return next.item.id;
    } catch (err) {
      // A cap reached or a pause between reading the plan and dispatching: the next turn reads it again.
      if (isPushpalsError(err, "conflict")) return null;
      if (isPushpalsError(err, "invalid_input") || isPushpalsError(err, "not_found")) {
        this.refused.add(next.item.id);
        say(`skipping ${next.item.id}: ${(err as Error).message.split("\n")[0]}`);
        return null;
      }
      throw err;
    }
  }

  private async turn(): Promise<void> {
    if (this.stopped) return;
    let dispatched: string | null = null;
    this.turning = true;
    try {
      dispatched = await this.once();
    } catch (err) {
      this.options.say(`dispatch turn failed: ${(err as Error).message.split("\n")[0]}`);
    } finally {
      this.turning = false;
    }
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.turn(), dispatched ? 0 : (this.options.tickMs ?? 500));
  }
}
