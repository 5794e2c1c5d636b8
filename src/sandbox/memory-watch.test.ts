import { expect, test } from "bun:test";
import { treeRssBytes, watchMemory } from "./memory-watch.ts";

const MB = 1024 * 1024;

/** A shell whose child holds `mb` of touched memory until killed; resolves once it says so. */
async function holder(mb: number) {
  const proc = Bun.spawn(["sh", "-c", `python3 -c 'import time; b = b"x" * (${mb} << 20); print("held", flush=True); time.sleep(60)'`], { stdout: "pipe" });
  const reader = proc.stdout.getReader();
  const { value } = await reader.read();
  expect(new TextDecoder().decode(value)).toContain("held");
  return proc;
}

test("the resident memory of a process tree counts its children's pages", async () => {
  const proc = await holder(150);
  try {
    const used = treeRssBytes(proc.pid);
    expect(used).toBeGreaterThan(150 * MB);
    expect(used).toBeLessThan(400 * MB);
  } finally {
    proc.kill("SIGKILL");
  }
  await proc.exited;
  expect(treeRssBytes(proc.pid)).toBe(0);
});

test("the watch fires once the tree is past the limit, and not while it is within it", async () => {
  const proc = await holder(150);
  try {
    let within = false;
    const stopWithin = watchMemory(proc.pid, 400 * MB, () => (within = true), 20);
    const exceeded = await new Promise<number>((resolve) => watchMemory(proc.pid, 100 * MB, resolve, 20));
    stopWithin();
    expect(exceeded).toBeGreaterThan(100 * MB);
    expect(within).toBe(false);
  } finally {
    proc.kill("SIGKILL");
  }
});
