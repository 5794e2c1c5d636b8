import npmFetch, { type RegistryError, type RegistryResponse } from "npm-registry-fetch";
import type { NpmConfigSources } from "../deps/npm-config.ts";
import { isPackageName, Packument, packumentProblem } from "./packument.ts";
import { readCachedPackument, writeCachedPackument } from "./packument-cache.ts";
import { RegistryFailure } from "./registry-failure.ts";
import { isAllowedRegistry, normalizeRegistry, registryFor, registryHost, registryLabel, registrySettings, type RegistrySettings } from "./registry-config.ts";
import { linkedAbort, readRegistryBody, registryFetchOptions, registryRequestFailure, type Fail, type Wording } from "./registry-request.ts";

/**
 * Full registry documents of packages, fetched the way npm fetches them: npm's own client
 * (npm-registry-fetch, through make-fetch-happen), the registries and credentials of the npm configuration
 * (registry-config.ts), `Accept: application/json` (the full document: `time`, `deprecated`, `repository`,
 * `engines`, which the abbreviated install document lacks). At most `concurrency` requests at once; each
 * attempt has `timeoutMs` for its answer and again for its body, and at most `maxBytes` of body.
 *
 * All or nothing: the first failure aborts the requests in flight and is thrown (a `RegistryFailure`
 * naming the package and the registry's host); the cache only ever gains whole, validated entries.
 */
export interface FetchPackumentsOptions {
  /** The npm configuration (readNpmConfigSources: the checkout's .npmrc, the user's, the environment). */
  npmConfig: NpmConfigSources;
  /** The ETag cache's directory (created 0700 when missing). */
  cacheDir: string;
  /** Requests in flight at once (default 8, at most 32). */
  concurrency?: number;
  /** Per attempt, for the response and again for its body (default 30 s). */
  timeoutMs?: number;
  /** The largest document read (default 64 MiB). */
  maxBytes?: number;
  /** Retries of a failed attempt (5xx, 429, a network error or timeout); default the npmrc's `fetch-retries`, else 2. */
  retries?: number;
  signal?: AbortSignal;
  /** Notes (the committed .npmrc's keys left out, a cache that could not be written); never a credential. */
  log?: (line: string) => void;
}

export interface FetchedPackument {
  packument: Packument;
  /** The registry it came from (no credentials). */
  registry: string;
  /** `fetched`: a 200; `revalidated`: the registry answered 304 to the cached ETag, and the cached document is used. */
  source: "fetched" | "revalidated";
}

export const DEFAULT_CONCURRENCY = 8;
const MAX_CONCURRENCY = 32;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/** The documents of `names` (each once), keyed by name; throws RegistryFailure (a JobFailure) for the first that fails. */
export async function fetchPackuments(names: Iterable<string>, options: FetchPackumentsOptions): Promise<Map<string, FetchedPackument>> {
  const settings = registrySettings(options.npmConfig);
  for (const note of settings.notes) options.log?.(note);
  const queue = [...new Set(names)].sort();
  const results = new Map<string, FetchedPackument>();
  const { controller: abort, release } = linkedAbort(options.signal);
  let failure: unknown;
  try {
    const worker = async () => {
      for (let name = queue.shift(); name !== undefined && failure === undefined; name = queue.shift()) {
        try {
          results.set(name, await fetchOne(name, settings, options, abort.signal));
        } catch (err) {
          if (failure === undefined) {
            failure = err;
            abort.abort();
          }
        }
      }
    };
    const width = Math.max(1, Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, MAX_CONCURRENCY, queue.length));
    await Promise.all(Array.from({ length: width }, worker));
  } finally {
    release();
  }
  if (failure !== undefined) throw failure;
  return new Map([...results].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

async function fetchOne(name: string, settings: RegistrySettings, options: FetchPackumentsOptions, signal: AbortSignal): Promise<FetchedPackument> {
  const registry = registryFor(settings, name);
  const host = registryHost(registry);
  const fail: Fail = (cls, fault, message, notRetryable) => new RegistryFailure(cls, fault, name, host, settings.scrub(message), notRetryable ? { notRetryable } : {});
  if (!isPackageName(name)) throw fail("invalid_input", "invalid_name", `${JSON.stringify(name.slice(0, 240))} is not an npm package name`, "not a package name");
  if (!isAllowedRegistry(settings, registry)) {
    throw fail(
      "policy_denied",
      "registry_not_allowed",
      `${name} would come from ${registryLabel(registry)}, which only the committed .npmrc names: PushPals reads package documents only from the registries of your own npm configuration (~/.npmrc or NPM_CONFIG_USERCONFIG) and the public ones`,
      "the registry is not one of your npm configuration",
    );
  }
  const key = normalizeRegistry(registry)!;
  const cached = readCachedPackument(options.cacheDir, key, name);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const headers: Record<string, string> = { accept: "application/json" };
  if (cached) headers["if-none-match"] = cached.etag;

  const wording: Wording = { what: `the document of ${name}`, subject: name };
  let res: RegistryResponse;
  try {
    res = await npmFetch(`${registry}${name.replace("/", "%2f")}`, registryFetchOptions(settings, registry, { timeoutMs, retries: options.retries, signal, headers }));
  } catch (err) {
    throw registryRequestFailure(err as RegistryError, {
      registry,
      timeoutMs,
      signal,
      fail,
      wording,
      notFound: () =>
        fail(
          "environment",
          "not_found",
          `${name} is not on the registry ${host} (HTTP 404): check the name, or that your npm configuration sends its scope to the registry that has it (@scope:registry)`,
          `${name} is not on the registry`,
        ),
    });
  }

  if (res.status === 304) {
    res.body.resume();
    if (!cached) throw fail("environment", "malformed", `the registry ${host} answered 304 Not Modified for ${name} to a request that named no cached version`);
    return { packument: cached.packument, registry: registryLabel(registry), source: "revalidated" };
  }
  if (res.status !== 200) {
    res.body.resume();
    throw fail("environment", "http_error", `the registry ${host} answered HTTP ${res.status} for ${name} where it sends the package's document`);
  }
  const body = await readRegistryBody(res, {
    maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
    timeoutMs,
    signal,
    host,
    fail,
    wording,
    tooLarge: (limit) => fail("environment", "too_large", `the registry ${host}'s document for ${name} is larger than ${limit}, more than PushPals reads`, "the document is too large"),
  });
  const text = body.toString("utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw fail("environment", "malformed", `the registry ${host} sent a document for ${name} that is not valid JSON`);
  }
  const parsed = Packument.safeParse(json);
  if (!parsed.success) throw fail("environment", "malformed", `the registry ${host} sent a document for ${name} that is not a package document (${packumentProblem(parsed.error)})`);
  if (parsed.data.name !== name) throw fail("environment", "malformed", `the registry ${host} answered the request for ${name} with the document of ${JSON.stringify(parsed.data.name.slice(0, 214))}`);
  const etag = res.headers.get("etag");
  if (etag !== null && etag !== "" && etag.length <= 1024) {
    try {
      writeCachedPackument(options.cacheDir, key, name, etag, parsed.data);
    } catch (err) {
      options.log?.(`registry: could not cache the document of ${name} (${(err as NodeJS.ErrnoException).code ?? "error"}): it is fetched again next time`);
    }
  }
  return { packument: parsed.data, registry: registryLabel(registry), source: "fetched" };
}
