import type { FailureClass, FailureEvidence } from "../../core/failures.ts";
import { REDACTED, redactText } from "../../secrets/redact.ts";
import { JobFailure } from "../../core/job-failure.ts";

/** A GitHub or push failure, classified for the job taxonomy; `retryAt` is set when GitHub said when to retry. */
export class GithubError extends JobFailure {
  constructor(
    failureClass: FailureClass,
    message: string,
    evidence: FailureEvidence = {},
    readonly status: number | null = null,
    readonly retryAt: Date | null = null,
  ) {
    super(failureClass, clip(message, 4096), evidence);
    this.name = "GithubError";
  }
}

/**
 * Removes the token from text: the generic patterns, the raw value (a token may match none of them)
 * and the Basic credential git sends, in case something echoes a header.
 */
export function scrub(text: string, token: string | null): string {
  let out = redactText(text);
  if (!token) return out;
  for (const form of [token, basicCredential(token)]) out = out.split(form).join(REDACTED);
  return out;
}

/** `base64("x-access-token:TOKEN")`, the Basic credential GitHub accepts for a token over git https. */
export function basicCredential(token: string): string {
  return Buffer.from(`x-access-token:${token}`).toString("base64");
}

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 15)}... [truncated]`;
}
