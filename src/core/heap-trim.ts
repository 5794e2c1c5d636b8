import { heapSize } from "bun:jsc";

/**
 * A long-running process's heap after a burst of work (a thousand jobs through the server) stays at
 * its high-water mark until the collector happens to run a full cycle, so its resident memory keeps
 * the burst's garbage. Every `intervalMs`, if the heap grew by more than `growthBytes` since the last
 * full collection, this runs one (a few milliseconds for a heap this size) and remembers what is left.
 */
export function trimHeapWhenGrown(options: { intervalMs?: number; growthBytes?: number } = {}): () => void {
  const growth = options.growthBytes ?? 2 * 1024 * 1024;
  let baseline = heapSize();
  const timer = setInterval(() => {
    // Past a small heap, a quarter of it: a full collection of a large heap is not cheap.
    if (heapSize() - baseline < Math.max(growth, baseline / 4)) return;
    Bun.gc(true);
    baseline = heapSize();
  }, options.intervalMs ?? 1_000);
  timer.unref();
  return () => clearInterval(timer);
}
