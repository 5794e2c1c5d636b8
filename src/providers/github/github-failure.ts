import { z } from "zod";
import type { FailureClass } from "../../core/failures.ts";
import { JobFailure } from "../../core/job-failure.ts";
import { clip, GithubError, scrub } from "./github-error.ts";

/** What Octokit's RequestError carries (matched by shape: @octokit/request-error is not a direct dependency). */
const HttpFailure = z.object({
  status: z.number(),
  message: z.string(),
  response: z.object({ headers: z.record(z.string(), z.unknown()), data: z.unknown() }).optional(),
});
type HttpFailure = z.infer<typeof HttpFailure>;

/** GitHub's `basic-error` and `validation-error` bodies. */
const ErrorBody = z.object({
  message: z.string().optional(),
  errors: z.array(z.union([z.string(), z.object({ message: z.string().optional(), code: z.string().optional(), field: z.string().optional() })])).optional(),
});

export const TOKEN_FIX = "run `gh auth login`, or set PUSHPALS_GITHUB_TOKEN to a token with read/write access to the repository's contents and pull requests (and read access to its issues for github.issue_labels)";

export interface RequestContext {
  /** "PUT /repos/o/r/pulls/3/merge": the route, never the token. */
  request: string;
  token: string;
  /** Aborted when the request ran past its time limit. */
  signal: AbortSignal;
  timeoutMs: number;
  now?: () => number;
}

/** Maps anything a GitHub request threw to a classified, token-free GithubError. */
export function githubFailure(err: unknown, ctx: RequestContext): JobFailure {
  if (err instanceof JobFailure) return err;
  const evidence = { command: ctx.request };
  if (ctx.signal.aborted) return new GithubError("timeout", `GitHub ${ctx.request} did not answer within ${ctx.timeoutMs} ms`, evidence);
  const parsed = HttpFailure.safeParse(err);
  if (!parsed.success || !parsed.data.response) {
    const text = err instanceof Error ? err.message : String(err);
    return new GithubError("environment", scrub(`GitHub ${ctx.request} failed (network): ${text}`, ctx.token), evidence);
  }
  const http = parsed.data;
  const status = http.status;
  const detail = scrub(describeBody(http), ctx.token);
  const withBody = { ...evidence, logExcerpt: clip(scrub(safeJson(http.response?.data), ctx.token), 16_384) };
  const fail = (cls: FailureClass, message: string, retryAt: Date | null = null) => new GithubError(cls, message, withBody, status, retryAt);

  const retryAt = rateLimitRetryAt(http, ctx.now ?? Date.now);
  if (retryAt) return fail("environment", `GitHub rate limit hit on ${ctx.request} (${status}: ${detail}); retry after ${retryAt.toISOString()}`, retryAt);
  if (status === 401) return fail("environment", `GitHub rejected the token (401: ${detail}): ${TOKEN_FIX}`);
  if (status === 403) return fail("policy_denied", `GitHub refused ${ctx.request} (403: ${detail}); check the token's permissions and the repository's rules`);
  if (status === 404) return fail("invalid_input", `GitHub ${ctx.request}: not found (404: ${detail}); check the repository name, or the token cannot see it`);
  if (status === 405 || status === 409) return fail("conflict", `GitHub ${ctx.request} refused (${status}): ${detail}`);
  if (status === 422) return fail("invalid_input", `GitHub ${ctx.request} rejected the input (422): ${detail}`);
  if (status >= 500) return fail("environment", `GitHub ${ctx.request} failed on GitHub's side (${status}): ${detail}`);
  return fail("invalid_input", `GitHub ${ctx.request} failed (${status}): ${detail}`);
}

/** True when GitHub refused a create because the head branch already has an open pull request. */
export function isAlreadyExists(err: unknown): boolean {
  return err instanceof GithubError && err.status === 422 && /pull request already exists/i.test(err.message);
}

/**
 * Primary limit: 403/429 with `x-ratelimit-remaining: 0` (reset in `x-ratelimit-reset`, epoch seconds).
 * Secondary limit: 403/429 with `retry-after` (seconds) or a message naming it and no header (GitHub
 * then asks for at least a minute).
 */
function rateLimitRetryAt(http: HttpFailure, now: () => number): Date | null {
  if (http.status !== 403 && http.status !== 429) return null;
  const headers = http.response?.headers ?? {};
  const retryAfter = Number(headers["retry-after"]);
  if (headers["retry-after"] !== undefined && Number.isFinite(retryAfter)) return new Date(now() + retryAfter * 1000);
  const reset = Number(headers["x-ratelimit-reset"]);
  if (String(headers["x-ratelimit-remaining"]) === "0" && Number.isFinite(reset)) return new Date(reset * 1000);
  if (http.status === 429 || /rate limit/i.test(describeBody(http))) return new Date(now() + 60_000);
  return null;
}

function describeBody(http: HttpFailure): string {
  const body = ErrorBody.safeParse(http.response?.data);
  if (!body.success) return typeof http.response?.data === "string" && http.response.data ? clip(http.response.data, 1000) : http.message;
  const details = (body.data.errors ?? []).map((e) => (typeof e === "string" ? e : e.message ?? [e.field, e.code].filter(Boolean).join(" "))).filter(Boolean);
  const message = body.data.message ?? http.message;
  return details.length ? `${message}: ${details.join("; ")}` : message;
}

function safeJson(value: unknown): string {
  try {
    return typeof value === "string" ? value : JSON.stringify(value) ?? "";
  } catch {
    return "";
  }
}
