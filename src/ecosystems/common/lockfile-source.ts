import { posix } from "node:path";
import { splitNameAndSpec } from "./lockfile.ts";

/**
 * Where a locked package comes from, read from its `resolved` spec. `url` is an http(s) tarball: whether
 * it is the registry depends on the lockfile around it (see `isRegistrySource`).
 */
export type SourceKind = "registry" | "url" | "git" | "file" | "link" | "workspace" | "exec" | "other";

export interface PackageSource {
  kind: SourceKind;
  /** Protocol and host (`https://registry.npmjs.org`, `git+ssh://github.com`) when the spec names a host. */
  origin: string | null;
  /** The local path of a `file`/`link`/`workspace` source, relative to the lockfile's folder unless absolute. */
  path: string | null;
}

/** The public registries a lockfile made with default settings resolves from. */
export const DEFAULT_REGISTRIES: readonly string[] = ["https://registry.npmjs.org", "https://registry.yarnpkg.com"];

const GIT_PREFIXES = ["git+", "git:", "git@", "github:", "gitlab:", "bitbucket:", "gist:", "ssh:"];
const LOCAL_PREFIXES: [string, SourceKind][] = [["file:", "file"], ["link:", "link"], ["portal:", "link"], ["workspace:", "workspace"], ["exec:", "exec"]];

export function sourceOf(resolved: string | null): PackageSource {
  if (resolved === null || resolved.startsWith("npm:")) return { kind: "registry", origin: null, path: null };
  if (resolved.startsWith("patch:")) return patchedSource(resolved);
  for (const [prefix, kind] of LOCAL_PREFIXES) {
    if (resolved.startsWith(prefix)) return { kind, origin: null, path: localPath(resolved.slice(prefix.length)) };
  }
  if (GIT_PREFIXES.some((p) => resolved.startsWith(p))) return { kind: "git", origin: originOf(resolved), path: null };
  if (/^https?:\/\//i.test(resolved)) return { kind: looksLikeGit(resolved) ? "git" : "url", origin: originOf(resolved), path: null };
  if (/^(\.{1,2}\/|\/|~)/.test(resolved)) return { kind: "file", origin: null, path: resolved };
  return { kind: "other", origin: originOf(resolved), path: null };
}

/** Yarn Berry's `patch:<encoded locator>#<patch>`: the patched package comes from where the inner locator does. */
function patchedSource(resolved: string): PackageSource {
  const inner = resolved.slice("patch:".length).split("#")[0] ?? "";
  let decoded: string;
  try {
    decoded = decodeURIComponent(inner);
  } catch {
    return { kind: "other", origin: null, path: null };
  }
  const { spec } = splitNameAndSpec(decoded);
  return spec.startsWith("patch:") ? { kind: "other", origin: null, path: null } : sourceOf(spec);
}

/** Yarn Berry appends `#<path>::hash=...&locator=...` (or `::locator=...`) to local references. */
function localPath(rest: string): string {
  return rest.split("::")[0]!.split("#")[0]!;
}

function looksLikeGit(url: string): boolean {
  return /#commit=|\.git(#|$)/.test(url);
}

/** `protocol://host` of a URL-like spec (scp-like `git@host:path` too), credentials left out; null when it names none. */
export function originOf(spec: string): string | null {
  const url = /^([a-z][a-z0-9+.-]*:)\/\/(?:[^/@\s]*@)?([^/:?#\s]+)(:\d+)?/i.exec(spec);
  if (url) return `${url[1]!.toLowerCase()}//${url[2]!.toLowerCase()}${url[3] ?? ""}`;
  const scp = /^(?:git\+)?[^@/\s:]+@([^:/\s]+):/.exec(spec);
  return scp ? `ssh://${scp[1]!.toLowerCase()}` : null;
}

/** The host a source names, for messages ("registry.npmjs.org"); null for none. */
export function hostOf(spec: string | null): string | null {
  if (spec === null) return null;
  const origin = originOf(spec);
  return origin === null ? null : origin.replace(/^[^/]*\/\//, "");
}

/** A spec with the user and password of its URL taken out (ssh's bare `git@` user stays: it is no secret). */
export function withoutCredentials(spec: string): string {
  return spec.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/@\s]*)@/i, (whole, scheme: string, userinfo: string) => {
    const secret = userinfo.includes(":") || /^https?:/i.test(scheme);
    return secret ? scheme : whole;
  });
}

/**
 * An http(s) tarball is the registry's when its origin is one of `registries` and its path is the
 * registry layout for this very package (`.../<name>/-/<file>.tgz`): a registry URL of another
 * package's tarball is a redirection too.
 */
export function isRegistryTarball(resolved: string, name: string, registries: ReadonlySet<string>): boolean {
  const origin = originOf(resolved);
  if (origin === null || !registries.has(origin)) return false;
  return tarballPackage(resolved) === name;
}

/** The package a registry-layout tarball URL names (`/@scope/name/-/name-1.0.0.tgz` -> "@scope/name"), or null. */
export function tarballPackage(url: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url).pathname);
  } catch {
    return null;
  }
  const at = path.lastIndexOf("/-/");
  if (at === -1) return null;
  const segments = path.slice(0, at).split("/").filter((s) => s !== "");
  const last = segments.at(-1);
  if (last === undefined) return null;
  const scope = segments.at(-2);
  return scope?.startsWith("@") ? `${scope}/${last}` : last;
}

/** Whether a package resolves from the registry the lockfile uses (null and `npm:` specs are the configured registry). */
export function isRegistrySource(resolved: string | null, name: string, registries: ReadonlySet<string>): boolean {
  const source = sourceOf(resolved);
  if (source.kind === "registry") return true;
  return source.kind === "url" && resolved !== null && isRegistryTarball(resolved, name, registries);
}

/** A local path that stays inside the repository, read from the lockfile's folder (`lockfileDir`, "" at the root). */
export function isInsideRepository(path: string, lockfileDir: string): boolean {
  if (path === "") return true;
  if (path.startsWith("/") || path.startsWith("~") || /^[a-z]:[\\/]/i.test(path)) return false;
  const joined = posix.normalize(posix.join(lockfileDir || ".", path.replaceAll("\\", "/")));
  return joined !== ".." && !joined.startsWith("../");
}
