import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A cgroup per sandboxed command, limiting its processes (pids) and its memory as a whole.
 *
 * Processes: root is exempt from RLIMIT_NPROC (the kernel never applies it to uid 0, user namespace or
 * not), so a worker running as root needs the pids controller to stop a fork bomb. Memory: a memory
 * cgroup counts every page the command's processes use, tmpfs included, and OOM-kills inside the
 * command only; without one, run-command samples the process tree's resident memory instead.
 *
 * Under cgroup v2 one directory does both. Under v1 each controller is its own hierarchy, so the
 * command gets a directory in each and enters all of them. Where a controller has no writable
 * hierarchy (an unprivileged worker, most containers) it is simply absent and the fallbacks hold.
 */
export interface CommandCgroup {
  /** The files a process writes its pid into to enter the cgroup (one per hierarchy), with everything it starts later. */
  procsFiles: string[];
  /** What it limits; the caller falls back to rlimits for the rest. */
  pids: boolean;
  memory: boolean;
  /** How many of its processes the kernel's OOM killer killed (0 without a memory controller). */
  oomKills(): number;
  /** Kills whatever is still in it and removes it, in every hierarchy. */
  release(): Promise<void>;
}

export interface CommandCgroupLimits {
  maxPids: number;
  memoryBytes: number;
}

export type Controller = "pids" | "memory";

/** The cgroup could be made but not set up: the command must not run without the limits it was promised. */
export class CommandCgroupError extends Error {
  constructor(
    message: string,
    readonly dir: string,
  ) {
    super(message);
    this.name = "CommandCgroupError";
  }
}

interface Hierarchy {
  version: 1 | 2;
  /** `.../pushpals`: one child per command. */
  parent: string;
  /** The controllers a child of `parent` gets (each controller in one hierarchy only). */
  controllers: Controller[];
}

const CONTROLLERS: Controller[] = ["pids", "memory"];
/** The file that proves a child really has the controller. */
const LIMIT_FILE: Record<1 | 2, Record<Controller, string>> = {
  1: { pids: "pids.max", memory: "memory.limit_in_bytes" },
  2: { pids: "pids.max", memory: "memory.max" },
};

let hierarchies: Hierarchy[] | undefined;
let counter = 0;

/** The parent cgroups for commands, found (and set up) once per process; empty when none can be used. */
export function commandHierarchies(): readonly Hierarchy[] {
  if (hierarchies === undefined) {
    hierarchies = findHierarchies();
    for (const h of hierarchies) removeStale(h);
  }
  return hierarchies;
}

/** Which limits a command cgroup enforces on this machine, for this user. */
export function cgroupControllers(): Record<Controller, boolean> {
  const found = commandHierarchies().flatMap((h) => h.controllers);
  return { pids: found.includes("pids"), memory: found.includes("memory") };
}

/** A fresh cgroup with these limits, or null when this machine offers no usable controller (see `commandHierarchies`). */
export function createCommandCgroup(limits: CommandCgroupLimits): CommandCgroup | null {
  const used = commandHierarchies();
  if (!used.length) return null;
  const name = `${process.pid}-${++counter}`;
  const made: { h: Hierarchy; dir: string }[] = [];
  const release = () => releaseAll(made);
  for (const h of used) {
    const dir = join(h.parent, name);
    try {
      mkdirSync(dir);
      made.push({ h, dir });
      for (const controller of h.controllers) applyLimit(h.version, dir, controller, limits);
    } catch (err) {
      void release();
      throw new CommandCgroupError(`cannot set up the command's cgroup ${dir}: ${(err as Error).message}`, dir);
    }
  }
  const controllers = used.flatMap((h) => h.controllers);
  const oomKills = () => made.filter((m) => m.h.controllers.includes("memory")).reduce((n, m) => n + oomKillCount(m.h.version, m.dir), 0);
  return { procsFiles: made.map((m) => join(m.dir, "cgroup.procs")), pids: controllers.includes("pids"), memory: controllers.includes("memory"), oomKills, release };
}

function applyLimit(version: 1 | 2, dir: string, controller: Controller, limits: CommandCgroupLimits): void {
  const set = (file: string, value: number | string) => writeFileSync(join(dir, file), String(value));
  const setIfPresent = (file: string, value: number | string) => {
    if (existsSync(join(dir, file))) set(file, value);
  };
  if (controller === "pids") return set("pids.max", limits.maxPids);
  if (version === 2) {
    set("memory.max", limits.memoryBytes);
    // No swap: otherwise the limit only moves the excess to disk.
    setIfPresent("memory.swap.max", 0);
    // Out of memory, the whole command dies rather than whichever process the kernel picks: a test run
    // missing one worker could otherwise pass or hang.
    setIfPresent("memory.oom.group", 1);
    return;
  }
  set("memory.limit_in_bytes", limits.memoryBytes);
  // Memory plus swap (only with swap accounting on); it must never be below the memory limit, so second.
  setIfPresent("memory.memsw.limit_in_bytes", limits.memoryBytes);
}

/** `oom_kill` of memory.events (v2) or memory.oom_control (v1, kernel 4.13+); v1 without it: whether the limit was hit. */
function oomKillCount(version: 1 | 2, dir: string): number {
  const read = (file: string) => {
    try {
      return readFileSync(join(dir, file), "utf8");
    } catch {
      return "";
    }
  };
  const text = read(version === 2 ? "memory.events" : "memory.oom_control");
  const kills = /^oom_kill (\d+)$/m.exec(text)?.[1];
  if (kills !== undefined) return Number(kills);
  return version === 1 && Number(read("memory.failcnt").trim() || 0) > 0 ? 1 : 0;
}

async function releaseAll(made: { h: Hierarchy; dir: string }[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  let left = [...made];
  for (;;) {
    left = left.filter(({ h, dir }) => {
      killMembers(h, dir);
      try {
        rmdirSync(dir);
        return false;
      } catch (err) {
        // EBUSY: killed tasks are still exiting; the kernel gives no event for that under cgroup v1.
        return (err as NodeJS.ErrnoException).code === "EBUSY";
      }
    });
    if (!left.length || Date.now() > deadline) return;
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

function findHierarchies(): Hierarchy[] {
  if (process.platform !== "linux") return [];
  let mountinfo: string;
  let membership: string;
  try {
    mountinfo = readFileSync("/proc/self/mountinfo", "utf8");
    membership = readFileSync("/proc/self/cgroup", "utf8");
  } catch {
    return [];
  }
  const found: Hierarchy[] = [];
  const missing = () => CONTROLLERS.filter((c) => !found.some((h) => h.controllers.includes(c)));
  for (const line of mountinfo.split("\n")) {
    const [before, after] = line.split(" - ");
    if (!before || !after || !missing().length) continue;
    const fields = before.split(" ");
    const [fsType, , superOptions = ""] = after.split(" ");
    const root = fields[3] ?? "/";
    const mountPoint = unescapeMount(fields[4] ?? "");
    if (fsType === "cgroup") {
      const options = superOptions.split(",");
      const wanted = missing().filter((c) => options.includes(c));
      const own = wanted[0] && ownPath(membership, (controllers) => controllers.split(",").includes(wanted[0]!));
      // Only the worker's own cgroup: a command stays inside whatever limits the worker itself is under.
      const h = own ? setUp(1, [join(mountPoint, relativeTo(own, root))], wanted) : null;
      if (h) found.push(h);
    }
    if (fsType === "cgroup2") {
      const own = ownPath(membership, (controllers) => controllers === "");
      // Under cgroup v2 a cgroup with processes cannot delegate controllers (except the root), so the
      // worker's own cgroup usually fails and the hierarchy's root is tried next.
      const h = own === null ? null : setUp(2, [join(mountPoint, relativeTo(own, root)), mountPoint], missing());
      if (h) found.push(h);
    }
  }
  return found;
}

/** The first base where a `pushpals` parent can hold children with any of `wanted`, and which of them. */
function setUp(version: 1 | 2, bases: string[], wanted: Controller[]): Hierarchy | null {
  for (const base of [...new Set(bases)]) {
    const parent = join(base, "pushpals");
    try {
      const usable = version === 2 ? enable(base, wanted) : wanted;
      if (!usable.length) continue;
      mkdirSync(parent, { recursive: true });
      if (version === 2) enable(parent, usable);
      if (!existsSync(join(parent, "cgroup.procs"))) continue;
      // Proves a child with working limit files can be made here.
      const probe = join(parent, `probe-${process.pid}`);
      mkdirSync(probe);
      const controllers = usable.filter((c) => existsSync(join(probe, LIMIT_FILE[version][c])));
      rmdirSync(probe);
      if (controllers.length) return { version, parent, controllers };
    } catch {}
  }
  return null;
}

/**
 * Turns on each wanted controller for the children of `dir` (v2), one by one so that one the kernel
 * refuses does not block the others; returns those that are on.
 */
function enable(dir: string, wanted: Controller[]): Controller[] {
  const control = join(dir, "cgroup.subtree_control");
  const on = () => readFileSync(control, "utf8").split(" ").map((s) => s.trim());
  for (const controller of wanted) {
    if (on().includes(controller)) continue;
    try {
      writeFileSync(control, `+${controller}`);
    } catch {}
  }
  const now = on();
  return wanted.filter((c) => now.includes(c));
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
