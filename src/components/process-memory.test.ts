import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { cachedMemoryReader, readProcessMemory, totalMemory, type ProcessMemory } from "./process-memory.ts";

const hasProc = existsSync(`/proc/${process.pid}/status`);
const fakeProc = tempDir("pushpals-fake-proc-");
afterAll(() => fakeProc.cleanup());

function fakePid(pid: number, files: Record<string, string>): void {
  mkdirSync(join(fakeProc.path, String(pid)), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(fakeProc.path, String(pid), name), text);
}

describe.skipIf(!hasProc)("on this machine's /proc", () => {
  test("the test process's own memory: RSS, PSS no larger than RSS, private pages no larger than RSS", () => {
    const m = readProcessMemory(process.pid)!;
    expect(m).not.toBeNull();
    expect(m.source).toBe(existsSync(`/proc/${process.pid}/smaps_rollup`) ? "smaps_rollup" : "status");
    expect(m.rssBytes).toBeGreaterThan(1024 * 1024);
    if (m.source === "smaps_rollup") {
      expect(m.pssBytes!).toBeGreaterThan(0);
      expect(m.pssBytes!).toBeLessThanOrEqual(m.rssBytes);
      expect(m.privateBytes!).toBeLessThanOrEqual(m.pssBytes!);
    }
  });

  test("a pid that has exited gives null", async () => {
    const child = Bun.spawn(["true"]);
    await child.exited;
    expect(readProcessMemory(child.pid)).toBeNull();
  });
});

test("no such pid, or not a pid at all: null", () => {
  for (const pid of [0, -1, 1.5, Number.NaN, 2 ** 60]) expect(readProcessMemory(pid)).toBeNull();
  expect(readProcessMemory(4242, join(fakeProc.path, "no-proc-here"))).toBeNull();
});

test("smaps_rollup: Rss, Pss, and Private_Clean + Private_Dirty as private, in bytes", () => {
  fakePid(101, {
    smaps_rollup: "00400000-7ffd0000 ---p 00000000 00:00 0   [rollup]\nRss:    53248 kB\nPss:    18636 kB\nPss_Anon: 9000 kB\nPrivate_Clean:  100 kB\nPrivate_Dirty:  9000 kB\n",
    status: "Name:\tbun\nVmRSS:\t  99999 kB\n",
  });
  expect(readProcessMemory(101, fakeProc.path)).toEqual({ rssBytes: 53248 * 1024, pssBytes: 18636 * 1024, privateBytes: 9100 * 1024, source: "smaps_rollup" });
});

test("without smaps_rollup (older kernels), VmRSS from status, and no PSS", () => {
  fakePid(102, { status: "Name:\tbun\nState:\tS (sleeping)\nVmPeak:\t  70000 kB\nVmRSS:\t   52000 kB\nThreads:\t7\n" });
  expect(readProcessMemory(102, fakeProc.path)).toEqual({ rssBytes: 52000 * 1024, pssBytes: null, privateBytes: null, source: "status" });
});

test("a zombie (status without VmRSS, empty smaps_rollup) gives null", () => {
  fakePid(103, { smaps_rollup: "", status: "Name:\tbun\nState:\tZ (zombie)\nThreads:\t1\n" });
  expect(readProcessMemory(103, fakeProc.path)).toBeNull();
});

test("the total sums what is known; PSS only when every process counted has it", () => {
  const a: ProcessMemory = { rssBytes: 50, pssBytes: 20, privateBytes: 10, source: "smaps_rollup" };
  const b: ProcessMemory = { rssBytes: 40, pssBytes: 15, privateBytes: 8, source: "smaps_rollup" };
  const c: ProcessMemory = { rssBytes: 30, pssBytes: null, privateBytes: null, source: "status" };
  expect(totalMemory([a, null, b, undefined])).toEqual({ processes: 2, rssBytes: 90, pssBytes: 35 });
  expect(totalMemory([a, c])).toEqual({ processes: 2, rssBytes: 80, pssBytes: null });
  expect(totalMemory([null, undefined])).toBeNull();
});

test("a cached reader walks each pid once per interval and forgets what is past it", () => {
  const clock = { t: 0 };
  const reads: number[] = [];
  const read = cachedMemoryReader(2_000, () => clock.t, (pid) => (reads.push(pid), { rssBytes: pid, pssBytes: pid, privateBytes: pid, source: "smaps_rollup" }));
  expect(read(1)?.rssBytes).toBe(1);
  expect(read(1)?.rssBytes).toBe(1);
  expect(read(2)?.rssBytes).toBe(2);
  clock.t = 2_000;
  read(1);
  expect(reads).toEqual([1, 2, 1]);
});
