import { PushpalsError } from "../../core/errors.ts";
import type { WriteContext } from "../../jobs/transition.ts";
import type { RunInput } from "./run-input.ts";

/** The only paths an RFC change may write. */
export const RFC_SCOPE = ["docs/rfcs/**"];

/**
 * A `run` that writes a High directive's RFC (`rfcFor`) makes a PR whose merge approves that directive
 * and unlocks High code: it is admitted only for a High directive that still waits for its RFC, only
 * inside `docs/rfcs/`, and once per directive (the dedupe key is the server's, whatever the client sent).
 */
export function admitRfcRun(ctx: WriteContext, input: RunInput): { dedupeKey?: string } | void {
  if (input.rfcFor === null) return;
  const directive = ctx.store.getJob(input.rfcFor);
  const risk = (directive?.input as { risk?: string } | undefined)?.risk;
  if (!directive || directive.kind !== "directive" || risk !== "high" || directive.state !== "blocked") {
    throw new PushpalsError("forbidden", `rfcFor: ${input.rfcFor} is not a High directive waiting for its RFC`, {
      field: "input.rfcFor",
      hint: "an RFC is written for a directive recorded with `pushpals ask --risk high`",
    });
  }
  if (input.scope.length !== RFC_SCOPE.length || input.scope.some((s, i) => s !== RFC_SCOPE[i]) || input.updatePr !== null || input.rfc !== null) {
    throw new PushpalsError("forbidden", `an RFC change writes only ${RFC_SCOPE.join(", ")} and opens its own PR`, { field: "input.scope" });
  }
  return { dedupeKey: `rfc:${input.rfcFor}` };
}
