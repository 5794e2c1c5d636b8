import { defineKind } from "../common/define-kind.ts";
import { TriageInput, TriageResult } from "./triage-input.ts";

/**
 * `triage`: the CI Medic's first look at a failing check. A WorkerPal runs the one check several times,
 * each in a fresh checkout of the exact commit, and succeeds with the verdict (broken, flaky,
 * infrastructure, passes) and every run's evidence. Only the server creates it (the RemoteAgent's dispatch).
 */
export const triageKind = defineKind({
  id: "triage",
  summary: "run one failing check several times on its commit: broken, flaky, infrastructure or passes",
  input: TriageInput,
  result: TriageResult,
  createdBy: "server",
  role: "worker",
  // Its check runs with exactly the network checks get (sandbox.network naming "checks"): a triage that
  // granted more, or less, would judge another check than the one that failed.
  network: false,
  handler: async (input, ctx) => (await import("./triage-handler.ts")).runTriage(input, ctx),
});
