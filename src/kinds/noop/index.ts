import { z } from "zod";
import { JobFailure } from "../../core/job-failure.ts";
import { defineKind } from "../common/define-kind.ts";
import { NoopInput } from "./noop-input.ts";

/** Diagnostic kind: exercises claim, heartbeats, logs and completion without touching the repository. */
export const noopKind = defineKind({
  id: "noop",
  summary: "diagnostics: logs lines, sleeps, succeeds (never touches the repository)",
  input: NoopInput,
  result: z.object({ ok: z.literal(true) }),
  createdBy: "client",
  role: "worker",
  network: false,
  async handler(input, ctx) {
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
    return { ok: true as const };
  },
});
