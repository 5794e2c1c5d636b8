/**
 * `test.concurrent` tests of a file all start at once (up to bun's --max-concurrency, 20 by default).
 * `lanes(n)` gives a file n lanes: at most n of its tests run their body at a time, the others waiting for
 * a free lane in the order bun started them (the order they are declared). End-to-end tests spend most of
 * their time waiting on real processes (restart backoffs, leases, polls, installs); two lanes fill that
 * idle time on a 2-core machine without starving the processes a test starts of CPU. A test whose
 * assertions hang on a narrow timing window (act while a one-second check runs) takes every lane
 * (`lane.alone`), so it runs as it would in a file of serial tests.
 *
 * A test's timeout starts when bun starts it, so it covers its wait for a lane too: `queuedTimeout` adds
 * room for the tests ahead of it to the time the test itself needs.
 */
export interface Lanes {
  <T>(body: () => Promise<T>): Promise<T>;
  /** Runs `body` with no other test of the file running beside it. */
  alone<T>(body: () => Promise<T>): Promise<T>;
  /** `ownMs` (what the test needs once it runs) plus room for its wait for a lane. */
  queuedTimeout(ownMs: number): number;
}

export function lanes(n: number, waitMs = 120_000): Lanes {
  let free = n;
  const waiting: { slots: number; go: () => void }[] = [];
  const grant = () => {
    // In order: a test waiting for every lane is not overtaken by the ones behind it.
    while (waiting.length > 0 && waiting[0]!.slots <= free) {
      const next = waiting.shift()!;
      free -= next.slots;
      next.go();
    }
  };
  const take = async <T>(slots: number, body: () => Promise<T>): Promise<T> => {
    await new Promise<void>((go) => {
      waiting.push({ slots, go });
      grant();
    });
    try {
      return await body();
    } finally {
      free += slots;
      grant();
    }
  };
  return Object.assign(<T>(body: () => Promise<T>) => take(1, body), {
    alone: <T>(body: () => Promise<T>) => take(n, body),
    queuedTimeout: (ownMs: number) => ownMs + waitMs,
  });
}

/**
 * Tests that share one cluster (each sees what the ones before it left) take it in turn, each in a lane of
 * `lane`: `inTurn(lane, count, start)` wraps the bodies of those `count` tests; the first to run starts
 * the cluster, the last to end stops it. (A file-level afterAll should still stop whatever a test that
 * timed out, or was filtered out, left running.)
 */
export function inTurn<R extends AsyncDisposable>(lane: Lanes, count: number, start: () => Promise<R>): (body: (shared: R) => Promise<void>) => () => Promise<void> {
  const turn = lanes(1);
  let shared: Promise<R> | undefined;
  let left = count;
  return (body) => () =>
    turn(() =>
      lane(async () => {
        try {
          await body(await (shared ??= start()));
        } finally {
          if (--left === 0) await (await shared?.catch(() => null))?.[Symbol.asyncDispose]();
        }
      }),
    );
}
