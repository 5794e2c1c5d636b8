import npmFetch, { type RegistryError, type RegistryResponse } from "npm-registry-fetch";
import semver from "semver";
import { z } from "zod";
import type { NpmConfigSources } from "../deps/npm-config.ts";
import { isPackageName } from "./packument.ts";
import { RegistryFailure } from "./registry-failure.ts";
import { isAllowedRegistry, registryFor, registryHost, registryLabel, registrySettings, type RegistrySettings } from "./registry-config.ts";
import { linkedAbort, readRegistryBody, registryFetchOptions, registryRequestFailure, type Fail, type Wording } from "./registry-request.ts";

/**
 * The known advisories of locked versions, asked the way `npm audit` asks: `POST <registry>/-/npm/v1/security/
 * advisories/bulk` with `{"<name>": ["<version>", ...]}`, through npm-registry-fetch with the npm
 * configuration's registries and credentials (registry-request.ts). Each package is asked of the registry it
 * comes from (its scope's `@scope:registry`, else the default one), so a private package's name goes only to
 * its own registry; at most CHUNK packages a request, the requests one after another.
 *
 * Only the advisories whose `vulnerable_versions` includes one of the asked versions are kept (prereleases
 * included); a range PushPals cannot read is kept too, rather than hiding an advisory. Versions that are no
 * semver (a git or file dependency) are not asked.
 *
 * A registry that answers 404, 405 or 501 has no audit service (a private registry, Verdaccio without its
 * audit plugin): that is no failure, and its host is listed in `unsupported` for the caller to say so.
 * Anything else a registry gets wrong (5xx, a timeout, a body that is not the bulk answer) throws a
 * RegistryFailure naming the registry's host, and the first package of the request that failed.
 */
export const Severity = z.enum(["info", "low", "moderate", "high", "critical"]);
export type Severity = z.infer<typeof Severity>;

export const Advisory = z.object({
  id: z.union([z.number(), z.string().min(1).max(256)]),
  url: z.string().max(2048),
  title: z.string().max(1024),
  severity: Severity,
  vulnerableVersions: z.string().max(4096),
});
export type Advisory = z.infer<typeof Advisory>;

/** One advisory as the registry sends it (`cwe`, `cvss` and the rest are not kept). */
const BulkAdvisory = z
  .object({
    id: z.union([z.number(), z.string().min(1).max(256)]),
    url: z.string().max(2048),
    title: z.string().max(64 * 1024).transform((t) => t.slice(0, 1024)),
    severity: Severity,
    vulnerable_versions: z.string().max(4096),
  })
  .transform((a): Advisory => ({ id: a.id, url: a.url, title: a.title, severity: a.severity, vulnerableVersions: a.vulnerable_versions }));

const BulkAnswer = z.record(z.string().max(214), z.array(BulkAdvisory).max(10_000));

export interface FetchAdvisoriesOptions {
  npmConfig: NpmConfigSources;
  /** Per request, for the response and again for its body (default 30 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface AdvisoryReport {
  /** Package name -> the advisories of the asked versions (only names that have some), sorted by name. */
  advisories: Map<string, Advisory[]>;
  /** Hosts of the registries that offer no advisories (HTTP 404, 405 or 501 to the bulk request). */
  unsupported: string[];
}

export const BULK_PATH = "-/npm/v1/security/advisories/bulk";
/** Packages per request. */
export const CHUNK = 500;
const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;
const NO_AUDIT_SERVICE = new Set([404, 405, 501]);

export async function fetchAdvisories(packages: ReadonlyMap<string, readonly string[]>, options: FetchAdvisoriesOptions): Promise<AdvisoryReport> {
  const settings = registrySettings(options.npmConfig);
  const byRegistry = new Map<string, Map<string, string[]>>();
  for (const [name, versions] of [...packages].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const asked = [...new Set(versions.filter((v) => semver.valid(v) === v))].sort(semver.compare);
    if (asked.length === 0) continue;
    const registry = registryFor(settings, name);
    const fail = failFor(settings, name, registry);
    if (!isPackageName(name)) throw fail("invalid_input", "invalid_name", `${JSON.stringify(name.slice(0, 240))} is not an npm package name`, "not a package name");
    if (!isAllowedRegistry(settings, registry)) {
      throw fail(
        "policy_denied",
        "registry_not_allowed",
        `the advisories of ${name} would come from ${registryLabel(registry)}, which only the committed .npmrc names: PushPals asks only the registries of your own npm configuration (~/.npmrc or NPM_CONFIG_USERCONFIG) and the public ones`,
        "the registry is not one of your npm configuration",
      );
    }
    const forRegistry = byRegistry.get(registry) ?? new Map<string, string[]>();
    forRegistry.set(name, asked);
    byRegistry.set(registry, forRegistry);
  }

  const advisories = new Map<string, Advisory[]>();
  const unsupported: string[] = [];
  const { controller, release } = linkedAbort(options.signal);
  try {
    for (const [registry, asked] of byRegistry) {
      const names = [...asked.keys()];
      for (let start = 0; start < names.length; start += CHUNK) {
        const chunk = new Map(names.slice(start, start + CHUNK).map((n) => [n, asked.get(n)!] as const));
        const answer = await askRegistry(settings, registry, chunk, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, controller.signal);
        if (answer === "unsupported") {
          unsupported.push(registryHost(registry));
          break;
        }
        for (const [name, versions] of chunk) {
          const found = relevant((Object.hasOwn(answer, name) ? answer[name] : undefined) ?? [], versions);
          if (found.length > 0) advisories.set(name, found);
        }
      }
    }
  } finally {
    release();
  }
  return { advisories: new Map([...advisories].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), unsupported: [...new Set(unsupported)].sort() };
}

function failFor(settings: RegistrySettings, name: string, registry: string): Fail {
  const host = registryHost(registry);
  return (cls, fault, message, notRetryable) => new RegistryFailure(cls, fault, name, host, settings.scrub(message), notRetryable ? { notRetryable } : {});
}

async function askRegistry(settings: RegistrySettings, registry: string, chunk: ReadonlyMap<string, string[]>, timeoutMs: number, signal: AbortSignal): Promise<Record<string, Advisory[]> | "unsupported"> {
  const host = registryHost(registry);
  const names = [...chunk.keys()];
  const first = names[0]!;
  const fail = failFor(settings, first, registry);
  const what = names.length === 1 ? `the advisories of ${first}` : `the advisories of ${names.length} packages (${first} and ${names.length - 1} more)`;
  const wording: Wording = { what, subject: what };
  let res: RegistryResponse;
  try {
    res = await npmFetch(`${registry}${BULK_PATH}`, registryFetchOptions(settings, registry, { timeoutMs, signal, method: "POST", body: Object.fromEntries(chunk), headers: { accept: "application/json" } }));
  } catch (err) {
    const status = (err as RegistryError).statusCode;
    if (typeof status === "number" && NO_AUDIT_SERVICE.has(status)) return "unsupported";
    throw registryRequestFailure(err as RegistryError, { registry, timeoutMs, signal, fail, wording });
  }
  if (res.status !== 200) {
    res.body.resume();
    throw fail("environment", "http_error", `the registry ${host} answered HTTP ${res.status} for ${what}`);
  }
  const body = await readRegistryBody(res, {
    maxBytes: MAX_ANSWER_BYTES,
    timeoutMs,
    signal,
    host,
    fail,
    wording,
    tooLarge: (limit) => fail("environment", "too_large", `the registry ${host}'s answer with ${what} is larger than ${limit}, more than PushPals reads`),
  });
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch {
    throw fail("environment", "malformed", `the registry ${host} sent ${what} as something that is not valid JSON`);
  }
  const parsed = BulkAnswer.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue && issue.path.length > 0 ? ` at ${issue.path.slice(0, 3).map(String).join(".").slice(0, 200)}` : "";
    throw fail("environment", "malformed", `the registry ${host} sent ${what} in a shape that is not the bulk advisory answer (${issue?.message ?? "invalid"}${at})`);
  }
  return parsed.data;
}

/** The advisories (each once) whose range includes one of `versions`, or that PushPals cannot read. */
function relevant(found: readonly Advisory[], versions: readonly string[]): Advisory[] {
  const seen = new Set<string>();
  return found.filter((a) => {
    const key = `${typeof a.id}:${a.id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    if (semver.validRange(a.vulnerableVersions) === null) return true;
    return versions.some((v) => semver.satisfies(v, a.vulnerableVersions, { includePrerelease: true }));
  });
}
