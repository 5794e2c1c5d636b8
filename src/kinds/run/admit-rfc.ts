import { PushpalsError } from "../../core/errors.ts";
import type { WriteContext } from "../../jobs/transition.ts";
import type { RunInput } from "./run-input.ts";

/**
 * A `run` that writes a High directive's RFC (`rfcFor`) makes a PR whose merge approves that directive
 * and unlocks High code: only the server creates one, when the directive is recorded (`pushpals ask
 * --risk high`, see kinds/directive/record-directive.ts). A client's is refused.
 */
export function admitRfcRun(_ctx: WriteContext, input: RunInput): void {
  if (input.rfcFor === null) return;
  throw new PushpalsError("forbidden", "rfcFor: an RFC change is written by the server when a High directive is recorded, never by a client", {
    field: "input.rfcFor",
    hint: "record the directive with `pushpals ask --risk high`: its RFC PR follows",
  });
}
