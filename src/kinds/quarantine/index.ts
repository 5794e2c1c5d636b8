import { defineKind } from "../common/define-kind.ts";
import { QuarantineInput, QuarantineResult } from "./quarantine-input.ts";

/**
 * `quarantine`: the CI Medic's quarantine (or un-quarantine) of flaky tests as one PR that edits only
 * `.pushpals/quarantine.toml`, with the evidence in its body. Only the server creates it (the RemoteAgent's
 * dispatch); the file is written by the host as data, nothing in the repository runs before the checks.
 */
export const quarantineKind = defineKind({
  id: "quarantine",
  summary: "quarantine or un-quarantine flaky tests: edit .pushpals/quarantine.toml with the evidence, check, propose as a PR a person approves",
  input: QuarantineInput,
  result: QuarantineResult,
  createdBy: "server",
  role: "worker",
  network: false,
  handler: async (input, ctx) => (await import("./quarantine-handler.ts")).proposeQuarantine(input, ctx),
  effects(ctx, job, { prs }) {
    if (job.state === "succeeded") prs.open(ctx, job);
  },
});
