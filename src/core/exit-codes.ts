import type { ErrorCode } from "../core/errors.ts";

/** Documented exit codes (README "Exit codes"); scripts can rely on them. */
export const EXIT = {
  ok: 0,
  /** The command ran and the answer is "no": audit chain broken, job failed. */
  failed: 1,
  /** Bad flags, bad input, invalid config. */
  usage: 2,
  /** No server running, it cannot be reached, or it is too busy to take the request (try again). */
  unreachable: 3,
  notFound: 4,
  /** The request conflicts with current state (already running, illegal transition, lease lost). */
  conflict: 5,
  /** Not inside a git repository, git missing or failing. */
  environment: 6,
  internal: 70,
} as const;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case "invalid_input":
    case "config_invalid":
    case "payload_too_large":
    case "unsupported_media_type":
    case "method_not_allowed":
      return EXIT.usage;
    case "server_unreachable":
    case "too_many_requests":
    case "request_timeout":
      return EXIT.unreachable;
    case "not_found":
      return EXIT.notFound;
    case "conflict":
    case "illegal_transition":
    case "lease_lost":
    case "forbidden":
      return EXIT.conflict;
    case "not_a_repository":
    case "git_failed":
    case "schema_too_new":
    case "component_failed":
      return EXIT.environment;
    case "audit_broken":
      return EXIT.failed;
    default:
      return EXIT.internal;
  }
}
