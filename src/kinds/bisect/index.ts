import { defineKind } from "../common/define-kind.ts";
import { BisectInput, BisectResult } from "./bisect-input.ts";

/**
 * `bisect`: the CI Medic's search for the commit that broke a check. A WorkerPal reruns the check on
 * commits between the last good one and a red one (binary search on the first-parent line, each step a
 * fresh checkout) and succeeds with the culprit, or the narrowed range, and every step's evidence. Only
 * the server creates it, from its own records.
 */
export const bisectKind = defineKind({
  id: "bisect",
  summary: "find the commit that broke one check by bisection, each step a fresh checkout of one commit",
  input: BisectInput,
  result: BisectResult,
  createdBy: "server",
  role: "worker",
  // Its check runs with exactly the network checks get (sandbox.network naming "checks"), as triage's does.
  network: false,
  handler: async (input, ctx) => (await import("./bisect-handler.ts")).runBisect(input, ctx),
});
