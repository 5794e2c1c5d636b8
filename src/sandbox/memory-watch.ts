import { readdirSync, readFileSync } from "node:fs";

/**
 * The real memory of a command without a memory cgroup: the resident set of the process tree under
 * `rootPid`, summed every `intervalMs`; past `limitBytes` the command is stopped (`onExceeded`). It is
 * the fallback where no memory cgroup can be made: it counts pages actually used, so runtimes that
 * reserve vast address space (WebAssembly in Node and Bun, sanitizers) run, which RLIMIT_AS broke.
 * A burst between two samples can pass unseen; the cgroup, where available, has no such gap.
 */
export function watchMemory(rootPid: number, limitBytes: number, onExceeded: (usedBytes: number) => void, intervalMs = 200): () => void {
  let stopped = false;
  const timer = setInterval(() => {
    if (stopped) return;
    const used = treeRssBytes(rootPid);
    if (used <= limitBytes) return;
    stopped = true;
    clearInterval(timer);
    onExceeded(used);
  }, intervalMs);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

/** Resident bytes (proportional share) of `rootPid` and all its descendants (0 once it is gone). */
export function treeRssBytes(rootPid: number): number {
  const children = new Map<number, number[]>();
  for (const name of safeReaddir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const ppid = parentOf(name);
    if (ppid === null) continue;
    const list = children.get(ppid) ?? [];
    list.push(Number(name));
    children.set(ppid, list);
  }
  let total = 0;
  const stack = [rootPid];
  const seen = new Set<number>();
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    total += rssBytes(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

function parentOf(pid: string): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: fields after it start at the last ")".
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ppid = Number(rest[1]);
    return Number.isInteger(ppid) ? ppid : null;
  } catch {
    return null;
  }
}

/**
 * The process's proportional share of resident memory (Pss: a page shared by n processes counts 1/n to
 * each), so forked test workers sharing their parent's pages are not counted many times over; VmRSS
 * where smaps_rollup is missing (kernels before 4.14).
 */
function rssBytes(pid: number): number {
  const kb = field(`/proc/${pid}/smaps_rollup`, /^Pss:\s+(\d+) kB$/m) ?? field(`/proc/${pid}/status`, /^VmRSS:\s+(\d+) kB$/m);
  return kb === null ? 0 : kb * 1024;
}

function field(path: string, pattern: RegExp): number | null {
  try {
    const match = pattern.exec(readFileSync(path, "utf8"))?.[1];
    return match === undefined ? null : Number(match);
  } catch {
    return null;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
