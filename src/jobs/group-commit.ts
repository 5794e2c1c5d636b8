import type { JobService } from "./job-service.ts";

interface Pending {
  operation: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces the operations that arrive in the same turn of the event loop (e.g. concurrent HTTP
 * requests from several workers) into one group commit. Each caller gets its own result or error,
 * only after the shared transaction has committed.
 */
export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly service: JobService,
    private readonly maxBatch = 64,
  ) {}

  run<T>(operation: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ operation, resolve: resolve as (value: unknown) => void, reject });
      if (this.queue.length >= this.maxBatch) return this.flush();
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue.splice(0, this.queue.length);
    if (batch.length === 0) return;
    let results: ReturnType<JobService["batch"]>;
    try {
      results = this.service.batch(batch.map((p) => p.operation));
    } catch (error) {
      // The commit itself failed: nothing was written for anyone.
      for (const p of batch) p.reject(error);
      return;
    }
    results.forEach((result, i) => {
      const pending = batch[i]!;
      if (result.ok) pending.resolve(result.value);
      else pending.reject(result.error);
    });
  }
}
