import type { ErrorCode } from "./errors.ts";
import type { FailureClass } from "./failures.ts";

/**
 * The one mapping between the two vocabularies: a `PushpalsError` (what an API call or a function
 * refused, by stable code) that ends a job becomes a failure of this class. A handler that means a
 * specific class throws `JobFailure` instead; this table is for errors that reach the job's edge.
 */
export const FAILURE_CLASS_OF_ERROR: Record<ErrorCode, FailureClass> = {
  invalid_input: "invalid_input",
  not_found: "invalid_input",
  config_invalid: "invalid_input",
  payload_too_large: "invalid_input",
  unsupported_media_type: "invalid_input",
  conflict: "conflict",
  illegal_transition: "conflict",
  lease_lost: "lease_lost",
  forbidden: "policy_denied",
  not_a_repository: "environment",
  git_failed: "environment",
  schema_too_new: "environment",
  server_unreachable: "environment",
  component_failed: "environment",
  too_many_requests: "environment",
  request_timeout: "timeout",
  method_not_allowed: "internal",
  audit_broken: "internal",
  internal: "internal",
};

export function failureClassOfError(code: ErrorCode): FailureClass {
  return FAILURE_CLASS_OF_ERROR[code];
}
