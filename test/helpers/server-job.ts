import { isTerminal } from "../../src/jobs/states.ts";
import type { RunningServer } from "../../src/server/main.ts";
import type { Job } from "../../src/store/jobs/job-rows.ts";

/**
 * Queues a job as the server does (a kind only the server creates) on a server running in this process,
 * and resolves when it ends: woken by the server's own committed events, no polling.
 */
export function runServerJob(server: RunningServer, kind: string, input: unknown, options: { maxAttempts?: number; actor?: string } = {}): Promise<Job> {
  const { job } = server.service.enqueue({ kind, input, actor: options.actor ?? "server", maxAttempts: options.maxAttempts ?? 1 });
  return new Promise((resolve) => {
    const done = () => {
      const now = server.store.getJob(job.id)!;
      if (!isTerminal(now.state)) return false;
      unsubscribe();
      resolve(now);
      return true;
    };
    const unsubscribe = server.bus.subscribe((event) => void (event.type === "job.transition" && event.jobId === job.id && done()));
    done();
  });
}
