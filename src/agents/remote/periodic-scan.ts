import { routes } from "../../api/routes.ts";
import type { ApiClient } from "../../client/api-client.ts";

/** After a failed enqueue (the server restarting), the next try waits this long, not a whole period. */
const RETRY_MS = 30_000;

/** What a scan asks for when it is due: its job, and the line said when a new one is queued. */
export interface ScanRequest {
  kind: string;
  input: Record<string, unknown>;
  maxAttempts: number;
  says: string;
}

/**
 * A scan the RemoteAgent asks for at start and then every `every()` ms (0: never): an issue scan, a
 * dependency scan. It only asks; the kind's fixed dedupe key keeps one at a time however often it is
 * asked. `request` returns null when there is nothing to scan now (the feature is off, the base lacks
 * what the scan reads).
 */
export class PeriodicScan {
  private nextAt = 0;

  constructor(private readonly options: { client: ApiClient; every: () => number; request: () => Promise<ScanRequest | null>; say: (line: string) => void; now?: () => number }) {}

  /** Queues a scan when one is due (at most one enqueue per period). */
  async once(): Promise<void> {
    const now = (this.options.now ?? Date.now)();
    const every = this.options.every();
    if (every === 0 || now < this.nextAt) return;
    this.nextAt = now + Math.min(RETRY_MS, every);
    const request = await this.options.request();
    if (!request) {
      this.nextAt = now + every;
      return;
    }
    const { job, deduped } = await this.options.client.call(routes.enqueueJob, { body: { kind: request.kind, input: request.input, maxAttempts: request.maxAttempts } });
    this.nextAt = now + every;
    if (!deduped) this.options.say(`${request.says}: job ${job.id}`);
  }
}
