import type { TestStatus } from "./test-outcome.ts";

/**
 * Node's runner says why a test failed (`failureType`, in TAP's YAML and as JUnit's failure type).
 * A test cancelled because its parent stopped, or one a hook failed for, never ran to a verdict of
 * its own: errored, like JUnit's <error>. Everything else (its code threw, it timed out) failed.
 */
const NEVER_RAN = new Set(["hookFailed", "cancelledByParent"]);

export function nodeFailureStatus(failureType: unknown): TestStatus {
  return typeof failureType === "string" && NEVER_RAN.has(failureType) ? "errored" : "failed";
}
