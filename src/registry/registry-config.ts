import { lstatSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse } from "ini";
import { JobFailure } from "../core/job-failure.ts";
import { installNpmConfig, type NpmConfigSources } from "../deps/npm-config.ts";
import { installTrust, trustSources } from "../deps/install-trust.ts";
import { UpstreamProxyConfigError, upstreamFor, upstreamProxySettings } from "../egress/upstream-proxy.ts";

/**
 * Where PushPals reads a package's registry document from, and with which credentials: the npm configuration a
 * dependency install gets (src/deps/npm-config.ts, reused as it is), so the Dependency Steward sees the
 * registry the package manager would. Registries, scoped registries (`@scope:registry`) and the
 * per-registry credentials (`//host/path/:_authToken`, `_auth`, `username` + `_password`) come from the
 * user's own npmrc (`NPM_CONFIG_USERCONFIG` or ~/.npmrc) and `npm_config_registry`; the committed `.npmrc`
 * (untrusted) contributes its registry keys only, and a registry only the commit names is never fetched
 * from (as an install's egress proxy never reaches it): a commit cannot point PushPals, or the user's
 * token, at a host of its choosing. Credentials go only to the registry they are keyed to (npm-registry-fetch
 * matches them by host and path), and never appear in a message: `scrub` takes every credential value out.
 */
export interface RegistrySettings {
  /** The registry of unscoped packages, with a trailing slash. */
  defaultRegistry: string;
  /** `@scope` -> its registry, with a trailing slash. */
  scoped: ReadonlyMap<string, string>;
  /** Registries of the user's own configuration and the public ones (normalized URLs): the only ones fetched from. */
  allowed: ReadonlySet<string>;
  /** The npmrc keys npm-registry-fetch reads as they are: registries and credentials. Holds secrets: never logged. */
  fetchOptions: Readonly<Record<string, unknown>>;
  /** Certificate authorities from the user's `ca` / `cafile` (PEM), if any. */
  ca: string[] | null;
  strictSSL: boolean;
  /** From the user's `fetch-retries`, `fetch-retry-factor`, `fetch-retry-mintimeout`, `fetch-retry-maxtimeout`. */
  retry: { retries?: number; factor?: number; minTimeout?: number; maxTimeout?: number };
  /** The worker's HTTPS_PROXY / HTTP_PROXY for a registry (null: connect directly; loopback and NO_PROXY hosts do). */
  proxyFor(registry: string): string | null;
  /** Text with every credential value of the configuration replaced by "[REDACTED]". */
  scrub(text: string): string;
  /** What of the committed .npmrc was left out, for logs. */
  notes: readonly string[];
}

const SCOPED_REGISTRY = /^(@[a-z0-9][\w.-]*):registry$/i;
const CREDENTIAL_KEY = /(^|:)(_authToken|_auth|_password)$/;
const MAX_NPMRC_BYTES = 1024 * 1024;
const MAX_RETRIES = 5;
const MAX_RETRY_WAIT_MS = 60_000;

/** The npm configuration files of a checkout (its committed `.npmrc`, read as data) and of the user running PushPals. */
export function readNpmConfigSources(checkoutDir: string | null, env: Record<string, string | undefined>): NpmConfigSources {
  const userPath = env.NPM_CONFIG_USERCONFIG ?? env.npm_config_userconfig ?? join(homedir(), ".npmrc");
  return { project: checkoutDir === null ? null : readProjectNpmrc(join(checkoutDir, ".npmrc")), user: readUserNpmrc(userPath), env };
}

/** The registry settings of these sources; throws JobFailure (`policy_denied`) for a committed .npmrc that would run a program. */
export function registrySettings(sources: NpmConfigSources): RegistrySettings {
  const config = installNpmConfig(sources, { allowScripts: false, credentials: true });
  const flat = parse(config.text) as Record<string, unknown>;
  const defaultRegistry = withSlash(String(flat.registry));
  const scoped = new Map<string, string>();
  const fetchOptions: Record<string, unknown> = { registry: defaultRegistry };
  const secrets: string[] = [];
  for (const [key, value] of Object.entries(flat)) {
    const scope = SCOPED_REGISTRY.exec(key)?.[1];
    if (scope !== undefined && typeof value === "string") {
      scoped.set(scope.toLowerCase(), withSlash(value));
      fetchOptions[`${scope.toLowerCase()}:registry`] = withSlash(value);
    }
    if (key.startsWith("//")) fetchOptions[key] = value;
    if (CREDENTIAL_KEY.test(key) && typeof value === "string" && value !== "") secrets.push(...secretForms(key, value));
  }
  const allowed = new Set(config.registries.map((r) => normalizeRegistry(r.url)).filter((u): u is string => u !== null));
  const ca = certificateAuthorities(flat, sources);
  const proxyEnv = proxySettings(sources.env);
  for (const value of [sources.env.https_proxy, sources.env.HTTPS_PROXY, sources.env.http_proxy, sources.env.HTTP_PROXY]) {
    const password = value ? passwordOf(value) : null;
    if (password) secrets.push(password, encodeURIComponent(password));
  }
  const unique = [...new Set(secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  return {
    defaultRegistry,
    scoped,
    allowed,
    fetchOptions,
    ca,
    strictSSL: flat["strict-ssl"] !== false && flat["strict-ssl"] !== "false",
    retry: retryOf(flat),
    proxyFor: (registry) => proxyEnv(registry),
    scrub: (text) => unique.reduce((out, secret) => out.split(secret).join("[REDACTED]"), text),
    notes: config.notes,
  };
}

/** The registry a package's document comes from: its scope's, else the default one. */
export function registryFor(settings: RegistrySettings, name: string): string {
  const scope = name.startsWith("@") ? name.slice(0, name.indexOf("/")).toLowerCase() : null;
  return (scope !== null ? settings.scoped.get(scope) : undefined) ?? settings.defaultRegistry;
}

/** Whether PushPals may fetch from `registry` (the user's own configuration names it, or it is a public one). */
export function isAllowedRegistry(settings: RegistrySettings, registry: string): boolean {
  const normalized = normalizeRegistry(registry);
  return normalized !== null && settings.allowed.has(normalized);
}

/** `https://host[:port]/path/` with the credentials of the URL left out: what messages name. */
export function registryLabel(registry: string): string {
  try {
    const url = new URL(registry);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return "(an invalid registry URL)";
  }
}

/** The host (and port) of a registry, for messages. */
export function registryHost(registry: string): string {
  try {
    return new URL(registry).host;
  } catch {
    return "(an invalid registry URL)";
  }
}

export function normalizeRegistry(url: string): string | null {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return null;
    return withSlash(`${parsed.protocol}//${parsed.host.toLowerCase()}${parsed.pathname}`);
  } catch {
    return null;
  }
}

function withSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}

/** A credential as it may travel or be echoed: as written, and `_auth` / `_password` decoded from base64. */
function secretForms(key: string, value: string): string[] {
  const forms = [value];
  if (key.endsWith("_auth") || key.endsWith("_password")) {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    if (decoded !== "" && !decoded.includes("\uFFFD")) forms.push(decoded, ...decoded.split(":").slice(1).filter((p) => p !== ""));
  }
  return forms;
}

function certificateAuthorities(flat: Record<string, unknown>, sources: NpmConfigSources): string[] | null {
  const out: string[] = [];
  const ca = flat.ca;
  if (typeof ca === "string" && ca !== "") out.push(ca.replaceAll("\\n", "\n"));
  if (Array.isArray(ca)) out.push(...ca.filter((c): c is string => typeof c === "string").map((c) => c.replaceAll("\\n", "\n")));
  // The user's cafile, checked the way an install's is (a readable PEM bundle, no private key).
  const cafiles = trustSources(sources.env, sources.user).filter((s) => s.setting === "cafile");
  if (cafiles.length > 0) {
    const trust = installTrust(cafiles, "host");
    if (trust.cafile) out.push(readFileSync(trust.cafile, "utf8"));
  }
  return out.length > 0 ? out : null;
}

function retryOf(flat: Record<string, unknown>): RegistrySettings["retry"] {
  const number = (key: string, max: number) => {
    const value = Number(flat[key]);
    return flat[key] === undefined || !Number.isFinite(value) || value < 0 ? undefined : Math.min(value, max);
  };
  return {
    retries: number("fetch-retries", MAX_RETRIES),
    factor: number("fetch-retry-factor", 10),
    minTimeout: number("fetch-retry-mintimeout", MAX_RETRY_WAIT_MS),
    maxTimeout: number("fetch-retry-maxtimeout", MAX_RETRY_WAIT_MS),
  };
}

/** The worker's proxy for a registry, as the install's egress proxy would use it (loopback and NO_PROXY direct). */
function proxySettings(env: Record<string, string | undefined>): (registry: string) => string | null {
  let settings: ReturnType<typeof upstreamProxySettings>;
  try {
    settings = upstreamProxySettings(env);
  } catch (err) {
    if (!(err instanceof UpstreamProxyConfigError)) throw err;
    throw new JobFailure("environment", `${err.message}: registry requests go through the worker's proxy, so fix or unset ${err.variable}`, {});
  }
  return (registry) => {
    let url: URL;
    try {
      url = new URL(registry);
    } catch {
      return null;
    }
    const https = url.protocol === "https:";
    const target = { host: url.hostname.replace(/^\[|\]$/g, ""), port: Number(url.port) || (https ? 443 : 80) };
    if (upstreamFor(settings, target, https ? "connect" : "http") === null) return null;
    const raw = https ? (env.https_proxy?.trim() || env.HTTPS_PROXY) : (env.http_proxy?.trim() || env.HTTP_PROXY);
    if (!raw) return null;
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(raw.trim()) ? raw.trim() : `http://${raw.trim()}`;
  };
}

function passwordOf(proxyUrl: string): string | null {
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(proxyUrl) ? proxyUrl : `http://${proxyUrl}`);
    return url.password === "" ? null : decodeURIComponent(url.password);
  } catch {
    return null;
  }
}

/** The committed `.npmrc`: a regular file, read as data. A link or anything else refuses, as an install does. */
function readProjectNpmrc(path: string): string | null {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return null;
  }
  if (!stat.isFile()) {
    throw new JobFailure("policy_denied", `the commit's .npmrc is ${stat.isSymbolicLink() ? "a symbolic link" : "not a regular file"}, so its registries were not read: commit the settings as a plain .npmrc file`, {});
  }
  if (stat.size > MAX_NPMRC_BYTES) throw new JobFailure("invalid_input", `the commit's .npmrc is larger than ${MAX_NPMRC_BYTES / 1024} KiB: that is no npm configuration`, { notRetryable: "the committed .npmrc is too large" });
  return readFileSync(path, "utf8");
}

function readUserNpmrc(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}
