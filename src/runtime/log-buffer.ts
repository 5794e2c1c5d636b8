type Line = { stream: "stdout" | "stderr" | "system"; line: string };

/**
 * Batches log lines so a chatty command costs one request per interval, not one per line. Sending
 * is serialized; a failed batch is dropped after one retry rather than blocking the job.
 */
export class LogBuffer {
  private pending: Line[] = [];
  private sending: Promise<void> = Promise.resolve();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly send: (lines: Line[]) => Promise<void>,
    intervalMs = 200,
    private readonly maxBatch = 1_000,
  ) {
    this.timer = setInterval(() => void this.flush(), intervalMs);
  }

  push(stream: Line["stream"], line: string): void {
    this.pending.push({ stream, line });
    if (this.pending.length >= this.maxBatch) void this.flush();
  }

  flush(): Promise<void> {
    if (this.pending.length === 0) return this.sending;
    const batch = this.pending.splice(0, this.maxBatch);
    this.sending = this.sending.then(async () => {
      try {
        await this.send(batch);
      } catch {
        await this.send(batch).catch(() => {});
      }
    });
    return this.pending.length > 0 ? this.flush() : this.sending;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
