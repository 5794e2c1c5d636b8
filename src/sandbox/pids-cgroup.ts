import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A pids cgroup per sandboxed command. Root is exempt from RLIMIT_NPROC (the kernel never applies it to
 * uid 0, user namespace or not), so a worker running as root needs a cgroup to stop a fork bomb. Where
 * no writable pids controller exists (an unprivileged worker, most containers), this is null and the
 * rlimit, which does bind a non-root user, is the limit.
 */
export interface PidsCgroup {
  /** The file a process writes its pid into to enter the cgroup (with everything it starts later). */
  procsFile: string;
  /** Kills whatever is still in the cgroup and removes it. */
  release(): Promise<void>;
}

interface Hierarchy {
  version: 1 | 2;
  /** `.../pushpals`: one child per command. */
  parent: string;
}

let hierarchy: Hierarchy | null | undefined;
let counter = 0;

/** The parent cgroup for commands, found (and set up) once per process; null when none can be used. */
export function pidsHierarchy(): Hierarchy | null {
  if (hierarchy === undefined) {
    hierarchy = findHierarchy();
    if (hierarchy) removeStale(hierarchy);
  }
  return hierarchy;
}

/** A fresh cgroup allowing `maxPids` tasks, or null when this machine offers none (see `pidsHierarchy`). */
export function createPidsCgroup(maxPids: number): PidsCgroup | null {
  const h = pidsHierarchy();
  if (!h) return null;
  const dir = join(h.parent, `${process.pid}-${++counter}`);
  try {
    mkdirSync(dir);
    writeFileSync(join(dir, "pids.max"), String(maxPids));
  } catch (err) {
    throw new Error(`cannot create the process-limit cgroup ${dir}: ${(err as Error).message}`);
  }
  return { procsFile: join(dir, "cgroup.procs"), release: () => releaseCgroup(h, dir) };
}

async function releaseCgroup(h: Hierarchy, dir: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    killMembers(h, dir);
    try {
      rmdirSync(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return;
      // EBUSY: killed tasks are still exiting; the kernel gives no event for that under cgroup v1.
      if (code !== "EBUSY" || Date.now() > deadline) return;
    }
    await Bun.sleep(5);
  }
}

function killMembers(h: Hierarchy, dir: string): void {
  if (h.version === 2 && existsSync(join(dir, "cgroup.kill"))) {
    try {
      writeFileSync(join(dir, "cgroup.kill"), "1");
      return;
    } catch {}
  }
  let pids: string[] = [];
  try {
    pids = readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean);
  } catch {}
  for (const pid of pids) {
    try {
      process.kill(Number(pid), "SIGKILL");
    } catch {}
  }
}

/** Children left by a worker that died (its pid is gone): emptied and removed. */
function removeStale(h: Hierarchy): void {
  for (const name of readdirSync(h.parent)) {
    const pid = /^(?:probe-)?(\d+)(?:-\d+)?$/.exec(name)?.[1];
    if (!pid || isAlive(Number(pid))) continue;
    killMembers(h, join(h.parent, name));
    try {
      rmdirSync(join(h.parent, name));
    } catch {}
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function findHierarchy(): Hierarchy | null {
  if (process.platform !== "linux") return null;
  let mountinfo: string;
  let membership: string;
  try {
    mountinfo = readFileSync("/proc/self/mountinfo", "utf8");
    membership = readFileSync("/proc/self/cgroup", "utf8");
  } catch {
    return null;
  }
  for (const line of mountinfo.split("\n")) {
    const [before, after] = line.split(" - ");
    if (!before || !after) continue;
    const fields = before.split(" ");
    const [fsType, , superOptions = ""] = after.split(" ");
    const root = fields[3] ?? "/";
    const mountPoint = unescapeMount(fields[4] ?? "");
    if (fsType === "cgroup" && superOptions.split(",").includes("pids")) {
      const own = ownPath(membership, (controllers) => controllers.split(",").includes("pids"));
      const found = own === null ? null : setUp(1, [join(mountPoint, relativeTo(own, root))]);
      if (found) return found;
    }
    if (fsType === "cgroup2") {
      const own = ownPath(membership, (controllers) => controllers === "");
      // Under cgroup v2 a cgroup with processes cannot delegate controllers (except the root), so the
      // worker's own cgroup usually fails and the hierarchy's root is tried next.
      const found = own === null ? null : setUp(2, [join(mountPoint, relativeTo(own, root)), mountPoint]);
      if (found) return found;
    }
  }
  return null;
}

function setUp(version: 1 | 2, bases: string[]): Hierarchy | null {
  for (const base of [...new Set(bases)]) {
    const parent = join(base, "pushpals");
    try {
      if (version === 2) enablePids(base);
      mkdirSync(parent, { recursive: true });
      if (version === 2) enablePids(parent);
      if (!existsSync(join(parent, "cgroup.procs"))) continue;
      // Proves a child with a working pids.max can be made here.
      const probe = join(parent, `probe-${process.pid}`);
      mkdirSync(probe);
      const ok = existsSync(join(probe, "pids.max"));
      rmdirSync(probe);
      if (ok) return { version, parent };
    } catch {}
  }
  return null;
}

function enablePids(dir: string): void {
  const control = join(dir, "cgroup.subtree_control");
  if (readFileSync(control, "utf8").split(" ").map((s) => s.trim()).includes("pids")) return;
  writeFileSync(control, "+pids");
}

function ownPath(membership: string, matches: (controllers: string) => boolean): string | null {
  for (const line of membership.split("\n")) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    if (controllers !== undefined && path !== undefined && matches(controllers)) return path;
  }
  return null;
}

function relativeTo(path: string, root: string): string {
  if (root === "/") return path;
  return path.startsWith(root) ? path.slice(root.length) || "/" : path;
}

function unescapeMount(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_m, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
