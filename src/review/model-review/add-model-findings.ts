import type { Finding } from "../review-types.ts";
import { mergeFindings } from "../run-review.ts";
import { MODEL_REVIEWER } from "./model-review-reply.ts";

/**
 * The deterministic findings plus the model's: every deterministic finding kept exactly as it was
 * (mergeFindings), each model finding under the `model` reviewer and at most request_changes, so the
 * verdict decided from the result is the deterministic one or stricter, never more lenient.
 */
export function addModelFindings(deterministic: readonly Finding[], model: readonly Finding[]): Finding[] {
  const capped = model.map((f) => ({ ...f, reviewer: MODEL_REVIEWER, severity: f.severity === "block" ? ("request_changes" as const) : f.severity }));
  return mergeFindings(deterministic, capped);
}
