import { parse, stringify } from "ini";
import { JobFailure } from "../core/job-failure.ts";

/**
 * The npm configuration (`.npmrc`, read by npm, pnpm, Yarn 1 and Bun) of a dependency install, written by
 * PushPals. The committed project `.npmrc` is untrusted (a job's commit may have written it): it is hidden
 * from the install, its harmless settings are carried over, and a key that makes the package manager run a
 * program (or read a host file) refuses the install. Registries and auth come from the user's own npmrc.
 */
export interface NpmConfigSources {
  /** The checkout's `.npmrc` (untrusted), or null. */
  project: string | null;
  /** The user's own npmrc (`NPM_CONFIG_USERCONFIG` or ~/.npmrc), or null. */
  user: string | null;
  /** The worker's environment: `${VAR}` in the user's file, `npm_config_registry`. */
  env: Record<string, string | undefined>;
}

export interface InstallNpmConfig {
  /** The file the install reads as its user config. */
  text: string;
  /**
   * Every registry the install may fetch from: the user's own (`trusted`: they may be local) and the
   * public ones. A registry only the commit names is written but not reachable: a commit cannot widen
   * where an install connects to.
   */
  registries: { url: string; trusted: boolean }[];
  /** Keys of the committed file that were not carried over. */
  ignoredProjectKeys: string[];
  /** Log lines: what was dropped and why. */
  notes: string[];
}

export interface NpmConfigOptions {
  /** Install scripts run: no credential is written (they are code from every dependency, and would read it). */
  allowScripts: boolean;
  /**
   * The package manager reads no code from the commit before it reads the credentials. Not so for Yarn,
   * whose committed `yarnPath` / `yarn-path` / plugins are code it runs on every call.
   */
  credentials: boolean;
  /** The sandbox's egress forwarder. */
  proxyUrl?: string;
  /** Where the install sees the user's `cafile` (install-trust.ts); theirs names a host path. */
  cafile?: string;
}

export const DEFAULT_REGISTRY = "https://registry.npmjs.org/";
/** Yarn 1's lockfiles resolve to this mirror of the npm registry. */
export const YARN_REGISTRY = "https://registry.yarnpkg.com/";

/** Keys that name a program to run, a file of code to load, or another config file: never from a commit. */
const CODE_RUNNING = new Set([
  "git",
  "shell",
  "script-shell",
  "node-options",
  "onload-script",
  "init-module",
  "node-gyp",
  "editor",
  "browser",
  "viewer",
  "userconfig",
  "globalconfig",
  "prefix",
  "pnpmfile",
  "global-pnpmfile",
  "npm-path",
]);

/** Project settings that change how the tree is laid out or resolved, never what runs. */
const PROJECT_KEYS = new Set([
  "registry",
  "legacy-peer-deps",
  "strict-peer-deps",
  "strict-peer-dependencies",
  "auto-install-peers",
  "engine-strict",
  "install-strategy",
  "install-links",
  "omit",
  "include",
  "save-exact",
  "save-prefix",
  "node-linker",
  "shamefully-hoist",
  "hoist",
  "hoist-pattern",
  "public-hoist-pattern",
  "link-workspace-packages",
  "prefer-workspace-packages",
  "shared-workspace-lockfile",
  "dedupe-peer-dependents",
  "resolution-mode",
  "package-lock",
  "lockfile",
]);

/** From the user's own file: where the registries are, how to log in to them, and how patiently to retry them. */
const USER_KEYS = new Set(["registry", "strict-ssl", "ca", "always-auth", "_auth", "_authToken", "username", "_password", "email", "fetch-retries", "fetch-retry-factor", "fetch-retry-mintimeout", "fetch-retry-maxtimeout", "fetch-timeout"]);

const SCOPED_REGISTRY = /^@[a-z0-9][\w.-]*:registry$/i;
/** `//host[:port]/path/:_authToken` and the other per-registry credentials. */
const REGISTRY_CREDENTIAL = /^\/\/[^\s]+:(_authToken|_auth|username|_password|always-auth|email)$/;
const CREDENTIAL_KEYS = new Set(["_auth", "_authToken", "username", "_password", "always-auth", "email"]);

/** Builds the install's npmrc (see `NpmConfigOptions` for when credentials are left out). */
export function installNpmConfig(sources: NpmConfigSources, options: NpmConfigOptions): InstallNpmConfig {
  const notes: string[] = [];
  const out: Record<string, string | string[]> = {};
  const registries: InstallNpmConfig["registries"] = [];

  const project = sources.project === null ? {} : parseNpmrc(sources.project);
  const refused = Object.keys(project).filter((key) => CODE_RUNNING.has(normalize(key)));
  if (refused.length > 0) {
    throw new JobFailure(
      "policy_denied",
      `the committed .npmrc sets ${refused.map((k) => `\`${k}\``).join(", ")}, which makes the package manager run a program or load other configuration, so the install was refused: ` +
        `remove ${refused.length === 1 ? "it" : "them"} from .npmrc (a dependency install runs no program PushPals did not choose)`,
      { logExcerpt: refused.join("\n") },
    );
  }
  const ignored: string[] = [];
  for (const [key, value] of Object.entries(project)) {
    const name = normalize(key);
    if ((PROJECT_KEYS.has(name) || SCOPED_REGISTRY.test(key)) && isPlain(value)) out[key] = Array.isArray(value) ? value : String(value);
    else ignored.push(key);
  }
  if (ignored.length > 0) notes.push(`dependencies: the committed .npmrc's ${ignored.join(", ")} not used (only layout and registry settings are taken from a commit)`);

  const user = sources.user === null ? {} : parseNpmrc(sources.user);
  const envRegistry = sources.env.npm_config_registry ?? sources.env.NPM_CONFIG_REGISTRY;
  const credentials: string[] = [];
  for (const [key, raw] of Object.entries(user)) {
    const credential = REGISTRY_CREDENTIAL.test(key) || CREDENTIAL_KEYS.has(key);
    if (!(USER_KEYS.has(key) || SCOPED_REGISTRY.test(key) || credential) || !isPlain(raw)) continue;
    const value = expandEnvRefs(raw, sources.env);
    if (credential) {
      credentials.push(key);
      if (options.allowScripts || !options.credentials) continue;
    }
    out[key] = value;
    if (key === "registry" || SCOPED_REGISTRY.test(key)) registries.push({ url: String(value), trusted: true });
    // `//npm.acme.example/:_authToken`: the user logs in there, so it is one of their registries.
    if (key.startsWith("//")) registries.push({ url: `https:${key.slice(0, key.lastIndexOf(":"))}`, trusted: true });
  }
  if (envRegistry) {
    out.registry = envRegistry;
    registries.push({ url: envRegistry, trusted: true });
  }
  if (credentials.length > 0 && options.allowScripts) notes.push("dependencies: registry credentials are not given to an install that runs install scripts (install.allow_scripts)");
  else if (credentials.length > 0 && !options.credentials) notes.push("dependencies: registry credentials are not given to this package manager (it runs code the commit names before it installs)");

  // The project's registry applies only where the user did not name one.
  const effective = typeof out.registry === "string" ? out.registry : DEFAULT_REGISTRY;
  out.registry = effective;
  for (const url of [DEFAULT_REGISTRY, YARN_REGISTRY]) registries.push({ url, trusted: false });

  Object.assign(out, { "update-notifier": "false", fund: "false", audit: "false" });
  if (options.cafile) out.cafile = options.cafile;
  if (options.proxyUrl) Object.assign(out, { proxy: options.proxyUrl, "https-proxy": options.proxyUrl, noproxy: "" });
  return { text: stringify(out), registries: dedupe(registries), ignoredProjectKeys: ignored, notes };
}

function parseNpmrc(text: string): Record<string, unknown> {
  try {
    return parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** npm treats `_` and `-` alike in key names. */
function normalize(key: string): string {
  return key.replaceAll("_", "-").toLowerCase().replace(/^-+/, "");
}

function isPlain(value: unknown): value is string | boolean | number | string[] {
  return typeof value === "string" || typeof value === "boolean" || typeof value === "number" || (Array.isArray(value) && value.every((v) => typeof v === "string"));
}

/** npm's `${VAR}` (and `${VAR?}`) in config values, from the worker's environment. */
export function expandEnvRefs(value: string | boolean | number | string[], env: NpmConfigSources["env"]): string | string[] {
  const one = (text: string) => text.replace(/(?<!\\)\$\{([^${}?]+)(\?)?\}/g, (whole, name: string, optional?: string) => env[name] ?? (optional ? "" : whole));
  return Array.isArray(value) ? value.map(one) : one(String(value));
}

function dedupe(registries: InstallNpmConfig["registries"]): InstallNpmConfig["registries"] {
  const seen = new Map<string, boolean>();
  for (const r of registries) seen.set(r.url, (seen.get(r.url) ?? false) || r.trusted);
  return [...seen].map(([url, trusted]) => ({ url, trusted }));
}
