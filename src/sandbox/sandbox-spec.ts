/** Limits of one sandboxed command: cgroup where available, rlimits otherwise, and the output cap run-command enforces. */
export interface SandboxLimits {
  /**
   * Resident memory in MB of the whole command: a memory cgroup where available, else run-command's
   * watch of its process tree (memory-watch.ts). /tmp and /dev/shm are sized within it (tmpfs-sizes.ts).
   */
  memoryMb: number;
  /** RLIMIT_CPU of each process, in seconds. */
  cpuSeconds: number;
  /** Processes at once: RLIMIT_NPROC, and a pids cgroup where one is available (root is exempt from the rlimit). */
  maxProcesses: number;
  /** stdout plus stderr bytes of one command before it is killed. */
  maxOutputBytes: number;
}

/**
 * A host directory shown read-only at `target` inside the writable directory (a cached `node_modules`):
 * the kernel refuses every write to it, chmod included, so no job can change what later jobs get.
 * `scratch` subdirectories of it (tool caches such as `.cache`) are private, empty tmpfs mounts.
 */
export interface ReadOnlyMount {
  source: string;
  /** Relative to the writable directory. */
  target: string;
  scratch: string[];
}

/**
 * A host file shown read-only at an absolute path inside the sandbox (the install's npmrc, an empty file
 * over a committed one). A directory works the same way (`--ro-bind` takes either): SSL_CERT_DIR's.
 */
export interface BoundFile {
  source: string;
  target: string;
}

/**
 * Network through the host's egress proxy only: the command has its own network namespace, where a
 * forwarder (run by `runtime`) listens on loopback `port` and relays to the proxy's Unix socket.
 */
export interface SandboxEgress {
  socketPath: string;
  /** The JavaScript runtime PushPals runs on (`process.execPath`). */
  runtime: string;
  /** `src/egress/sandbox-forwarder.ts`. */
  forwarder: string;
  port: number;
}

/** Where the egress files appear inside the sandbox (on its private /tmp). */
export const SANDBOX_EGRESS_DIR = "/tmp/.pushpals";

/**
 * Where the package manager a job's repository needs appears inside the sandbox, when PushPals provides it
 * (its own Bun, or a version it provisioned): bound read-only, with its command in `SANDBOX_PM_BIN`.
 */
export const SANDBOX_PM_DIR = `${SANDBOX_EGRESS_DIR}/pm`;

/** First on every sandboxed command's PATH (see command-env.ts); absent unless something is bound there. */
export const SANDBOX_PM_BIN = `${SANDBOX_PM_DIR}/bin`;

/**
 * What one sandboxed command may touch. Paths are absolute host paths that exist (see `resolveSandboxSpec`):
 * the whole file system is read-only, `hide` directories are replaced by empty read-only ones, `reveal`
 * directories inside them are visible again (read-only), and `writableDir` is the only writable host path.
 */
export interface SandboxSpec {
  /** The job's worktree. */
  writableDir: string;
  /** Keep the host's network namespace; otherwise the command sees only its own loopback (and `egress`). */
  network: boolean;
  /** With `network` false: the registry (or whatever the proxy allows) and nothing else. */
  egress: SandboxEgress | null;
  /** Environment on top of the allowlist (e.g. PUSHPALS_JOB_ID); never credentials. */
  env: Record<string, string>;
  limits: SandboxLimits;
  /** Directories replaced by an empty, read-only tmpfs: homes, credential stores, the runtime directory. */
  hide: string[];
  /** Files replaced by an unreadable one (e.g. /etc/shadow). */
  hideFiles: string[];
  /** Directories under a hidden one that stay readable, read-only (toolchains on PATH). */
  reveal: string[];
  /** Read-only views inside `writableDir` (cached dependencies). */
  readOnlyMounts: ReadOnlyMount[];
  files: BoundFile[];
}

/** HOME inside the sandbox: an empty directory on the sandbox's private /tmp (package-manager caches go here). */
export const SANDBOX_HOME = "/tmp/home";
