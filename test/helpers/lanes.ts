/**
 * `test.concurrent` tests of a file all start at once (up to bun's --max-concurrency, 20 by default).
 * `lanes(n)` gives a file n lanes: at most n of its tests run their body at a time, the others waiting for
 * a free lane in the order bun started them (the order they are declared). End-to-end tests spend most of
 * their time waiting on real processes (restart backoffs, leases, polls, installs); two lanes fill that
 * idle time on a 2-core machine without starving the processes a test starts of CPU.
 *
 * A test's timeout starts when bun starts it, so it covers its wait for a lane too: `queuedTimeout` adds
 * room for the tests ahead of it to the time the test itself needs.
 */
export interface Lanes {
  <T>(body: () => Promise<T>): Promise<T>;
  /** `ownMs` (what the test needs once it runs) plus `waitMs` (room for its wait for a lane). */
  queuedTimeout(ownMs: number): number;
}

export function lanes(n: number, waitMs = 120_000): Lanes {
  let free = n;
  const waiting: (() => void)[] = [];
  const run = async <T>(body: () => Promise<T>): Promise<T> => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await body();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free++;
    }
  };
  return Object.assign(run, { queuedTimeout: (ownMs: number) => ownMs + waitMs });
}
