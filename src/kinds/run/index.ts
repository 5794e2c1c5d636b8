import { defineKind } from "../common/define-kind.ts";
import { admitRun, verifyRunBase } from "./admit-run.ts";
import { RunInput, RunResult } from "./run-input.ts";

/** `pushpals run`: a codemod in the sandbox, committed in scope, checked; its success opens (or updates) a PR. */
export const runKind = defineKind({
  id: "run",
  summary: "run a command (codemod) in the sandbox and propose what it changed as a PR",
  input: RunInput,
  result: RunResult,
  createdBy: "client",
  role: "worker",
  network: true,
  handler: async (input, ctx) => (await import("./run-handler.ts")).runCodemod(input, ctx),
  admit: admitRun,
  verify: verifyRunBase,
  effects(ctx, job, { prs }) {
    if (job.state === "succeeded") prs.open(ctx, job);
  },
});
