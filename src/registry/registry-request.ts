import type { RegistryError, RegistryFetchOptions, RegistryResponse } from "npm-registry-fetch";
import { VERSION } from "../core/version.ts";
import { RegistryFailure, type RegistryFault } from "./registry-failure.ts";
import { registryHost, type RegistrySettings } from "./registry-config.ts";

/**
 * What every registry request of PushPals shares (packuments, tarballs, advisories): npm-registry-fetch's
 * options from the npm configuration (credentials matched by npm's own rules, the user's CA, TLS, proxy and
 * retries), a body read within a size and a time bound, and an error turned into a `RegistryFailure` whose
 * message is built from the status and the error's code only (then scrubbed), never from the registry's text.
 */
export type Fail = (cls: "environment" | "policy_denied" | "invalid_input" | "cancelled", fault: RegistryFault, message: string, notRetryable?: string) => RegistryFailure;

/** How messages name what was asked for: `what` "the document of lib", `subject` "lib" (in "did not answer for lib"). */
export interface Wording {
  what: string;
  subject: string;
}

export interface RequestOptions {
  timeoutMs: number;
  retries?: number;
  signal: AbortSignal;
  headers: Record<string, string>;
  method?: "GET" | "POST";
  /** An object is sent as JSON (npm-registry-fetch encodes it and sets the content type). */
  body?: unknown;
  /** "manual": a 3xx is answered as it is, never followed (a tarball must come from its registry, not wherever it redirects). */
  redirect?: "manual";
}

/** npm-registry-fetch's options for one request to `registry` (or a URL on it). */
export function registryFetchOptions(settings: RegistrySettings, registry: string, options: RequestOptions): RegistryFetchOptions {
  return {
    ...settings.fetchOptions,
    registry,
    headers: options.headers,
    timeout: options.timeoutMs,
    retry: {
      retries: options.retries ?? settings.retry.retries ?? 2,
      factor: settings.retry.factor ?? 2,
      minTimeout: settings.retry.minTimeout ?? 1_000,
      maxTimeout: settings.retry.maxTimeout ?? 10_000,
    },
    signal: options.signal,
    ca: settings.ca,
    strictSSL: settings.strictSSL,
    proxy: settings.proxyFor(registry),
    noProxy: null,
    userAgent: `pushpals/${VERSION}`,
    ...(options.method ? { method: options.method } : {}),
    ...(options.body !== undefined ? { body: options.body } : {}),
    ...(options.redirect ? { redirect: options.redirect } : {}),
  };
}

export interface ReadBodyOptions {
  maxBytes: number;
  timeoutMs: number;
  signal: AbortSignal;
  host: string;
  fail: Fail;
  wording: Wording;
  /** The failure for a body larger than `maxBytes` (`limit`: "32 MiB", "512 KiB", "200 bytes"). */
  tooLarge: (limit: string) => RegistryFailure;
}

/** The body, at most `maxBytes` (declared or read), within `timeoutMs`. */
export async function readRegistryBody(res: RegistryResponse, options: ReadBodyOptions): Promise<Buffer> {
  const { maxBytes, timeoutMs, signal, host, fail, wording } = options;
  const tooLarge = () => options.tooLarge(sizeLabel(maxBytes));
  const declared = Number(res.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.body.destroy?.();
    throw tooLarge();
  }
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    res.body.destroy?.(new Error("body timeout"));
  }, timeoutMs);
  const chunks: Buffer[] = [];
  let size = 0;
  const finished = () => fail("environment", "timeout", `the registry ${host} did not finish sending ${wording.what} within ${seconds(timeoutMs)}`);
  try {
    for await (const chunk of res.body) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      size += bytes.length;
      if (size > maxBytes) {
        res.body.destroy?.();
        throw tooLarge();
      }
      chunks.push(bytes);
    }
  } catch (err) {
    if (err instanceof RegistryFailure) throw err;
    if (signal.aborted) throw fail("cancelled", "cancelled", `stopped while reading ${wording.what} from ${host}`);
    if (timedOut || isTimeout(err as RegistryError)) throw finished();
    throw fail("environment", "network", `the connection to the registry ${host} broke while it sent ${wording.what} (${codeOf(err as RegistryError)})`);
  } finally {
    clearTimeout(timer);
  }
  if (timedOut) throw finished();
  return Buffer.concat(chunks);
}

export interface FailureOptions {
  registry: string;
  timeoutMs: number;
  signal: AbortSignal;
  fail: Fail;
  wording: Wording;
  /** The failure for an HTTP 404 (default: "the registry has no <what>"). */
  notFound?: () => RegistryFailure;
}

/** A rejected npm-registry-fetch request (an HTTP status of 400 or more, a network error, an abort) as a RegistryFailure. */
export function registryRequestFailure(err: RegistryError, options: FailureOptions): RegistryFailure {
  const { registry, timeoutMs, signal, fail, wording } = options;
  const host = registryHost(registry);
  const status = typeof err.statusCode === "number" ? err.statusCode : null;
  if (status === 404) return options.notFound?.() ?? fail("environment", "not_found", `the registry ${host} does not have ${wording.what} (HTTP 404)`, "not on the registry");
  if (status === 401 || status === 403) {
    return fail("environment", "unauthorized", `the registry ${host} refused ${wording.what} (HTTP ${status}): check the registry's credentials in your npm config (~/.npmrc or NPM_CONFIG_USERCONFIG)`);
  }
  if (status === 429) {
    const after = retryAfter(err.headers);
    return fail("environment", "rate_limited", `the registry ${host} is rate-limiting requests (HTTP 429${after ? `, retry after ${after}` : ""}) and did not send ${wording.what}`);
  }
  if (status !== null && status >= 500) return fail("environment", "server_error", `the registry ${host} failed to send ${wording.what} (HTTP ${status})`);
  if (status !== null) return fail("environment", "http_error", `the registry ${host} answered HTTP ${status} for ${wording.what}`);
  if (err.name === "AbortError" || err.code === "FETCH_ABORTED" || signal.aborted) return fail("cancelled", "cancelled", `stopped while fetching ${wording.what} from ${host}`);
  if (isTimeout(err)) return fail("environment", "timeout", `the registry ${host} did not answer for ${wording.subject} within ${seconds(timeoutMs)}`);
  return fail("environment", "network", `could not reach the registry ${host} for ${wording.subject} (${codeOf(err)}): check the registry in your npm config and the network`);
}

/** minipass-fetch's request and body timeouts, and @npmcli/agent's connection, idle and response ones. */
function isTimeout(err: RegistryError): boolean {
  return err.type === "request-timeout" || err.type === "body-timeout" || /^(ETIMEDOUT|EIDLETIMEOUT|ECONNECTIONTIMEOUT|ERESPONSETIMEOUT|ETRANSFERTIMEOUT)$/.test(err.code ?? "");
}

/** A short, credential-free name for an error: its code, or its class. */
function codeOf(err: RegistryError): string {
  const code = typeof err.code === "string" && /^[A-Z0-9_]{2,40}$/.test(err.code) ? err.code : null;
  return code ?? (typeof err.name === "string" && /^\w{1,40}$/.test(err.name) ? err.name : "error");
}

function retryAfter(headers: RegistryError["headers"]): string | null {
  const raw = headers?.["retry-after"];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (typeof value !== "string") return null;
  if (/^\d{1,6}$/.test(value.trim())) return `${value.trim()} s`;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : new Date(at).toISOString();
}

function sizeLabel(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round(bytes / 1024 / 1024)} MiB`;
  return bytes >= 1024 ? `${Math.round(bytes / 1024)} KiB` : `${bytes} bytes`;
}

export function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** A controller aborted by the caller's signal too, and a way to let go of that signal. */
export function linkedAbort(signal: AbortSignal | undefined): { controller: AbortController; release(): void } {
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  if (signal?.aborted) controller.abort();
  signal?.addEventListener("abort", onAbort, { once: true });
  return { controller, release: () => signal?.removeEventListener("abort", onAbort) };
}
