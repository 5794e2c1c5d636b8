import { isProcessAlive } from "../runtime-dir/server-file.ts";

/**
 * A component started by `pushpals start` stops itself (gracefully) when its supervisor is gone, so a
 * kill -9 of the supervisor never leaves an unsupervised runtime behind.
 */
export function onSupervisorGone(stop: () => void, intervalMs = 1_000): void {
  const pid = Number(process.env.PUSHPALS_SUPERVISOR_PID);
  if (!Number.isInteger(pid) || pid <= 0) return;
  const timer = setInterval(() => {
    if (isProcessAlive(pid)) return;
    clearInterval(timer);
    stop();
  }, intervalMs);
  timer.unref();
}
