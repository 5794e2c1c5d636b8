import type { FailureClass, FailureEvidence } from "../core/failures.ts";
import { JobFailure } from "../core/job-failure.ts";

/** What went wrong with one registry request, for callers that decide on it (tests, retries). */
export type RegistryFault =
  | "not_found"
  | "unauthorized"
  | "rate_limited"
  | "server_error"
  | "http_error"
  | "timeout"
  | "network"
  | "malformed"
  | "too_large"
  | "registry_not_allowed"
  | "invalid_name"
  | "cancelled";

/**
 * A registry request that failed: a `JobFailure` (class `environment` for the registry's or the network's
 * faults, `policy_denied` for a registry PushPals will not use, `invalid_input` for a name that is no package,
 * `cancelled`) whose message names the package and the registry's host, and never a credential: messages
 * are built from the status and the error's code, not from what the client or the registry said, and pass
 * through the configuration's `scrub` all the same.
 */
export class RegistryFailure extends JobFailure {
  constructor(
    failureClass: FailureClass,
    readonly fault: RegistryFault,
    readonly packageName: string,
    /** `host[:port]`, no credentials. */
    readonly registryHost: string,
    message: string,
    evidence: FailureEvidence = {},
  ) {
    super(failureClass, message, evidence);
    this.name = "RegistryFailure";
  }
}
