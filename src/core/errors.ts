/**
 * One error type for the whole product. `code` is stable (scripts and tests match on it),
 * `message` says what failed and why, `hint` says how to fix it.
 */
export type ErrorCode =
  | "invalid_input"
  | "not_found"
  | "conflict"
  | "lease_lost"
  | "illegal_transition"
  | "forbidden"
  | "payload_too_large"
  | "unsupported_media_type"
  | "method_not_allowed"
  | "too_many_requests"
  | "request_timeout"
  | "not_a_repository"
  | "git_failed"
  | "config_invalid"
  | "schema_too_new"
  | "server_unreachable"
  | "audit_broken"
  | "component_failed"
  | "internal";

export interface ErrorDetails {
  hint?: string;
  field?: string;
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class PushpalsError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly field: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, extra: ErrorDetails = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = "PushpalsError";
    this.code = code;
    this.hint = extra.hint;
    this.field = extra.field;
    this.details = extra.details;
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { code: this.code, message: this.message };
    if (this.field !== undefined) out.field = this.field;
    if (this.hint !== undefined) out.hint = this.hint;
    if (this.details !== undefined) out.details = this.details;
    return out;
  }
}

export function isPushpalsError(err: unknown, code?: ErrorCode): err is PushpalsError {
  return err instanceof PushpalsError && (code === undefined || err.code === code);
}
