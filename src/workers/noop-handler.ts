import { NoopInput } from "../jobs/kinds.ts";
import { JobFailure } from "../core/job-failure.ts";
import { type JobHandler } from "./handler.ts";

/** Diagnostic kind: exercises claim, heartbeats, logs and completion without touching the repository. */
export const noopHandler: JobHandler = {
  kind: "noop",
  async run(ctx) {
    const input = NoopInput.parse(ctx.job.input);
    for (let i = 0; i < input.logLines; i++) ctx.log("stdout", `noop line ${i + 1}`);
    if (input.sleepMs > 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, input.sleepMs);
        ctx.signal.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(new JobFailure("cancelled", `stopped: ${String(ctx.signal.reason)}`));
        });
      });
    }
    return { ok: true };
  },
};
