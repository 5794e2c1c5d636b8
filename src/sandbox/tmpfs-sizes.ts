import type { SandboxLimits } from "./sandbox-spec.ts";

const MB = 1024 * 1024;

/**
 * The sizes of the sandbox's writable tmpfs mounts, carved out of `memoryMb`. tmpfs pages are memory
 * no process's resident set shows: under a memory cgroup they count against the command's limit,
 * without one these sizes are their only bound. /tmp (HOME lives there, so package-manager caches do too) gets
 * half; /dev/shm (POSIX shared memory and semaphores: Python's multiprocessing, browsers) a quarter,
 * which is plenty for them. Both full still leave a quarter for the processes that filled them.
 */
export function tmpfsSizes(limits: Pick<SandboxLimits, "memoryMb">): { tmpBytes: number; shmBytes: number } {
  return { tmpBytes: Math.floor(limits.memoryMb / 2) * MB, shmBytes: Math.floor(limits.memoryMb / 4) * MB };
}
