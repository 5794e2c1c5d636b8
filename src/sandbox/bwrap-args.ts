import { SANDBOX_EGRESS_DIR, SANDBOX_HOME, type SandboxLimits, type SandboxSpec } from "./sandbox-spec.ts";
import { tmpfsSizes } from "./tmpfs-sizes.ts";

/** Options of the installed bwrap that not every version has (read by `findBwrap`). */
export interface BwrapFeatures {
  disableUserns: boolean;
  tmpfsSize: boolean;
}

export interface BwrapInvocation {
  /** The command's working directory, inside `writableDir`. */
  cwd: string;
  /** The complete environment of the command (`sandboxEnv`). */
  env: Record<string, string>;
  features: BwrapFeatures;
  /** The shell command to run (`sh -c`). */
  command: string;
  /**
   * Set RLIMIT_NPROC inside the sandbox first. Only there does it count just the sandbox's processes
   * (set outside, an unprivileged user's every process on the machine would count); not needed when a
   * pids cgroup limits the command, useless for root (exempt).
   */
  limitProcesses: boolean;
  /** An fd open in bwrap holding the seccomp program (see seccomp-filter.ts); bwrap reads and closes it. */
  seccompFd?: number;
}

type Mount = { path: string; order: number; args: string[] };

/**
 * The bwrap arguments (after `bwrap`) for one command. Pure: the caller resolved every path.
 *
 * Mounts are applied shallowest first, so a deeper one wins inside a shallower one: e.g. the home is
 * hidden, the repository's git dir inside it revealed read-only, the runtime dir inside that hidden
 * again, and the worktree inside that bound back writable. Hidden directories are remounted read-only
 * last, once every mount point inside them exists.
 */
export function bwrapArgs(spec: SandboxSpec, run: BwrapInvocation): string[] {
  const args = ["--unshare-all", "--unshare-user"];
  if (spec.network) args.push("--share-net");
  if (run.features.disableUserns) args.push("--disable-userns");
  args.push("--die-with-parent", "--cap-drop", "ALL");
  if (run.seccompFd !== undefined) args.push("--seccomp", String(run.seccompFd));
  // --dev's own tmpfs has no size: /dev/shm gets a sized one, and /dev itself becomes read-only.
  const sizes = tmpfsSizes(spec.limits);
  args.push("--ro-bind", "/", "/", "--dev", "/dev", ...sized(run, sizes.shmBytes), "--tmpfs", "/dev/shm", "--remount-ro", "/dev", "--proc", "/proc");
  args.push(...sized(run, sizes.tmpBytes), "--tmpfs", "/tmp", "--dir", SANDBOX_HOME);
  const egress = spec.egress ? egressPaths() : null;
  if (spec.egress && egress) {
    args.push("--ro-bind", spec.egress.socketPath, egress.socket, "--ro-bind", spec.egress.runtime, egress.runtime, "--ro-bind", spec.egress.forwarder, egress.forwarder);
  }

  const hides = spec.hide.filter((dir) => dir !== "/" && dir !== "/tmp");
  const mounts: Mount[] = [
    ...hides.map((path) => ({ path, order: 0, args: ["--tmpfs", path] })),
    ...spec.reveal.map((path) => ({ path, order: 1, args: ["--ro-bind", path, path] })),
    // /dev/null is on a nodev mount in the sandbox: opening the hidden file fails, whoever asks.
    ...spec.hideFiles.map((path) => ({ path, order: 2, args: ["--ro-bind", "/dev/null", path] })),
    { path: spec.writableDir, order: 3, args: ["--bind", spec.writableDir, spec.writableDir] },
    ...spec.readOnlyMounts.flatMap((m) => {
      const target = `${spec.writableDir}/${m.target}`;
      const scratch = m.scratch.map((dir) => ({ path: `${target}/${dir}`, order: 5, args: [...sized(run, sizes.tmpBytes), "--tmpfs", `${target}/${dir}`] }));
      return [{ path: target, order: 4, args: ["--ro-bind", m.source, target] }, ...scratch];
    }),
    ...spec.files.map((f) => ({ path: f.target, order: 6, args: ["--ro-bind", f.source, f.target] })),
  ];
  mounts.sort((a, b) => depth(a.path) - depth(b.path) || a.order - b.order);
  for (const mount of mounts) args.push(...mount.args);
  for (const dir of hides) args.push("--remount-ro", dir);

  args.push("--chdir", run.cwd, "--clearenv");
  for (const [key, value] of Object.entries(run.env)) args.push("--setenv", key, value);
  args.push("--");
  const shell = ["sh", "-c", run.command];
  // The forwarder listens first, then runs the command as its child and exits with its status.
  const inner = spec.egress && egress ? [egress.runtime, egress.forwarder, egress.socket, String(spec.egress.port), ...shell] : shell;
  if (run.limitProcesses) args.push("/bin/sh", "-c", `${processLimitScript(spec.limits.maxProcesses)}\nexec "$@"`, "sh", ...inner);
  else args.push(...inner);
  return args;
}

/** Inside the sandbox: the proxy's socket, the runtime and the forwarder script, all read-only. */
export function egressPaths() {
  return { socket: `${SANDBOX_EGRESS_DIR}/egress.sock`, runtime: `${SANDBOX_EGRESS_DIR}/runtime`, forwarder: `${SANDBOX_EGRESS_DIR}/forwarder.ts` };
}

function sized(run: BwrapInvocation, bytes: number): string[] {
  return run.features.tmpfsSize ? ["--size", String(bytes)] : [];
}

/** The process-count flag is -u in bash and busybox, -p in dash. */
function processLimitScript(max: number): string {
  return `{ ulimit -u ${max} 2>/dev/null || ulimit -p ${max}; } || { echo 'pushpals: could not apply the sandbox process limit' >&2; exit 125; }`;
}

/**
 * RLIMIT_CPU, per process, for the shell that execs bwrap: everything in the sandbox inherits it, and a
 * shell builtin costs nothing where prlimit or another shell would cost an exec. No RLIMIT_AS: it counts
 * reservations, not memory, and breaks runtimes that reserve far more than they use (WebAssembly in Node
 * and Bun, sanitizers); memory is the cgroup's, or run-command's resident-memory watch without one.
 */
export function cpuLimitScript(limits: SandboxLimits): string {
  return `ulimit -t ${limits.cpuSeconds} || { echo 'pushpals: could not apply the sandbox limits' >&2; exit 125; }`;
}

function depth(path: string): number {
  return path.split("/").filter(Boolean).length;
}
