/**
 * Restart with backoff; a component that crashes `maxCrashes` times within `windowMs` is given up on
 * (reported `failed`) rather than restarted forever.
 */
export class RestartPolicy {
  private crashes: number[] = [];

  constructor(
    private readonly maxCrashes = 5,
    private readonly windowMs = 60_000,
    private readonly baseMs = 200,
    private readonly maxMs = 5_000,
  ) {}

  /** Records a crash; returns the delay before restarting, or null to give up. */
  onCrash(now: number): number | null {
    this.crashes = [...this.crashes.filter((t) => now - t < this.windowMs), now];
    if (this.crashes.length >= this.maxCrashes) return null;
    return Math.min(this.maxMs, this.baseMs * 2 ** (this.crashes.length - 1));
  }

  get recent(): number {
    return this.crashes.length;
  }
}
