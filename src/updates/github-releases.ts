import semver from "semver";
import { z } from "zod";
import { VERSION } from "../core/version.ts";
import { isPackageName } from "../registry/packument.ts";
import { RegistryFailure } from "../registry/registry-failure.ts";
import { bounded, DEFAULT_SECTION_CHARS, DEFAULT_TOTAL_CHARS, MIN_USEFUL_CHARS, neutralize, trimBlankLines, type ChangelogSection } from "./changelog-sections.ts";
import type { ReleaseNotes } from "./release-notes.ts";

/**
 * The release notes of an update from the GitHub releases of the package's source repository, for when
 * its tarball ships no changelog. The job that reads them holds no GitHub token, so this is the public,
 * unauthenticated API (60 requests an hour per address): no Authorization header is ever sent, at most
 * two pages are read, and a repository is asked only on the host of the configured API (github.com for
 * https://api.github.com, HOST for GitHub Enterprise's https://HOST/api/v3), so a packument cannot send
 * PushPals to another server.
 *
 * A release counts when it is no draft and its tag names a version after `from` up to `to`: `v1.2.3`,
 * `1.2.3`, or, in a monorepo, `<package name>@1.2.3` (once the repository tags this package by name, its
 * plain version tags are taken to be another package's). Prereleases count only when `to` is one, and then
 * only those of `to`'s own version. Sections come newest version first, each body made inert and bounded
 * as a changelog's sections are (changelog-sections.ts).
 *
 * Like release-notes.ts: a fault is `{ found: false, why }` (one line, built from the status, never from
 * the response's text), and only a cancellation throws (a RegistryFailure of class `cancelled`).
 */
export interface GithubRepository {
  owner: string;
  repo: string;
  /** The package's folder in a monorepo (`repository.directory`), or null. */
  directory: string | null;
}

export interface GithubReleasesRequest {
  name: string;
  from: string;
  to: string;
  /** The packument's `repository` (a string or `{ type, url, directory }`). */
  repository: unknown;
}

export interface GithubReleasesOptions {
  /** https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server. */
  apiUrl: string;
  /** Per page, for the response and its body (default 15 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** The largest page read (default 4 MiB). */
  maxBytes?: number;
}

export const DEFAULT_MAX_RELEASES_BYTES = 4 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 15_000;
const PER_PAGE = 100;
const MAX_PAGES = 2;
const MAX_REDIRECTS = 3;
const MAX_REPOSITORY_TEXT = 2048;

/** GitHub's rules: an account is letters, digits and hyphens, at most 39, not starting or ending with a hyphen. */
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;
const OTHER_HOST_SHORTHAND = /^(?:gitlab|bitbucket|gist|sourcehut):/i;
const SCP_LIKE = /^(?:[^@/:\s]+@)?([^@/:\s]+):(?!\/\/)(.+)$/;
const URL_PROTOCOLS = new Set(["https:", "http:", "git:", "ssh:", "git+https:", "git+http:", "git+ssh:"]);

/** Malformed flags count as the cautious value: a draft, a prerelease. */
const GithubRelease = z.object({
  tag_name: z.string().max(256),
  body: z.string().nullable().optional().catch(null),
  draft: z.boolean().catch(true),
  prerelease: z.boolean().catch(true),
});
type GithubRelease = z.infer<typeof GithubRelease>;

const GithubReleasePage = z.array(GithubRelease.nullable().catch(null)).max(10 * PER_PAGE);

export function githubRepositoryOf(repository: unknown, apiUrl: string): GithubRepository | null {
  const host = webHost(apiUrl);
  if (host === null) return null;
  let text: string;
  let directory: unknown = null;
  if (typeof repository === "string") text = repository;
  else if (typeof repository === "object" && repository !== null && typeof (repository as { url?: unknown }).url === "string") {
    text = (repository as { url: string }).url;
    directory = (repository as { directory?: unknown }).directory ?? null;
  } else return null;
  if (text.length > MAX_REPOSITORY_TEXT) return null;
  const at = locate(text.trim());
  if (at === null || at.host !== host) return null;
  const [owner = "", rawRepo = ""] = at.path.replace(/^\/+/, "").split("/");
  const repo = rawRepo.replace(/\.git$/i, "");
  if (!OWNER.test(owner) || !REPO.test(repo) || repo === "." || repo === "..") return null;
  return { owner, repo, directory: cleanDirectory(directory) };
}

/** The web host (lower case, no port) whose repositories `apiUrl` serves, or null for no http(s) URL. */
function webHost(apiUrl: string): string | null {
  const url = parseUrl(apiUrl);
  if (url === null || (url.protocol !== "https:" && url.protocol !== "http:")) return null;
  const host = url.hostname.toLowerCase();
  return host === "api.github.com" ? "github.com" : host;
}

/** A repository text's host and path; npm's shorthands (`github:o/r`, bare `o/r`) are github.com. */
function locate(text: string): { host: string; path: string } | null {
  const github = /^github:(.+)$/i.exec(text);
  if (github) return { host: "github.com", path: stripRef(github[1]!) };
  if (OTHER_HOST_SHORTHAND.test(text)) return null;
  if (/^[^:@/\s]+\/[^:@/\s]+$/.test(stripRef(text))) return { host: "github.com", path: stripRef(text) };
  const url = parseUrl(text);
  if (url !== null && URL_PROTOCOLS.has(url.protocol)) return { host: normalHost(url.hostname), path: url.pathname };
  // `git@host:o/r.git`; never `scheme://` (file:, svn: and the like are no GitHub repository), except the
  // `git+ssh://git@host:o/r.git` that is no URL but that npm reads as scp's form.
  const scp = SCP_LIKE.exec(text.replace(/^(?:git\+)?ssh:\/\/(?=(?:[^@/:\s]+@)?[^@/:\s]+:(?!\d+\/))/i, ""));
  if (scp) return { host: normalHost(scp[1]!), path: stripRef(scp[2]!) };
  return null;
}

function stripRef(text: string): string {
  return text.replace(/[#?].*$/, "");
}

function normalHost(host: string): string {
  const lower = host.toLowerCase();
  return lower === "www.github.com" ? "github.com" : lower;
}

function parseUrl(text: string, base?: string): URL | null {
  try {
    return new URL(text, base);
  } catch {
    return null;
  }
}

/** `packages/lib` from `./packages/lib/`; null for none, or one that leaves the repository. */
function cleanDirectory(directory: unknown): string | null {
  if (typeof directory !== "string" || directory.length > MAX_REPOSITORY_TEXT || /[\u0000-\u001f\u007f\\]/.test(directory)) return null;
  const parts = directory.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.length === 0 || parts.includes("..")) return null;
  return parts.join("/");
}

interface Context {
  name: string;
  label: string;
  api: URL;
  host: string;
  timeoutMs: number;
  maxBytes: number;
  signal: AbortSignal | undefined;
}

type Page = { releases: GithubRelease[]; next: string | null } | { problem: string };

export async function fetchGithubReleases(req: GithubReleasesRequest, options: GithubReleasesOptions): Promise<ReleaseNotes> {
  const { name, from, to } = req;
  if (!isPackageName(name)) return notFound(`${JSON.stringify(name.slice(0, 240))} is not an npm package name`);
  if (semver.valid(from) === null || semver.valid(to) === null) return notFound(`${name}: ${JSON.stringify(from.slice(0, 64))} to ${JSON.stringify(to.slice(0, 64))} is not an update between two versions`);
  if (!semver.gt(to, from)) return notFound(`${name}: no version comes after ${from} up to ${to}`);
  const api = parseUrl(options.apiUrl.replace(/\/+$/, ""));
  const host = webHost(options.apiUrl);
  if (api === null || host === null || api.username !== "" || api.password !== "") return notFound(`the GitHub API URL is not an http(s) URL without credentials: no releases are read`);
  const where = githubRepositoryOf(req.repository, options.apiUrl);
  if (where === null) return notFound(`${name} names no source repository on ${host}`);
  const label = `${where.owner}/${where.repo}`;
  const ctx: Context = { name, label, api, host: api.host, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, maxBytes: options.maxBytes ?? DEFAULT_MAX_RELEASES_BYTES, signal: options.signal };
  if (options.signal?.aborted) throw cancelled(ctx);

  const releases: GithubRelease[] = [];
  let next: string | null = `${api.href.replace(/\/+$/, "")}/repos/${where.owner}/${where.repo}/releases?per_page=${PER_PAGE}`;
  let fault: string | null = null;
  let unread = false;
  for (let page = 0; next !== null; page++) {
    if (page === MAX_PAGES) {
      unread = true;
      break;
    }
    const got = await getPage(next, ctx);
    if ("problem" in got) {
      fault = got.problem;
      break;
    }
    releases.push(...got.releases);
    next = got.next;
    // GitHub lists the newest first: past a release of this package at `from`, the rest is older.
    if (got.releases.length < PER_PAGE || reachedFrom(got.releases, name, from)) break;
  }
  if (fault !== null && releases.length === 0) return notFound(fault);
  if (releases.length === 0) return notFound(`${label} on ${host} publishes no GitHub releases`);

  const picked = pickReleases(releases, name, from, to);
  if (picked.length === 0) return notFound(fault ?? `${label} on ${host} has no GitHub release of ${name} after ${from} up to ${to}`);
  const { sections, truncated } = boundedSections(picked);
  if (sections.length === 0) return notFound(`the GitHub releases of ${label} after ${from} up to ${to} have no text`);
  // A later page that failed or was left unread may have held more of them.
  const incomplete = fault !== null || (unread && !reachedFrom(releases, name, from));
  return { found: true, file: `GitHub releases of ${label}`, sections, truncated: truncated || incomplete };
}

/** One page of releases, following redirects (a renamed repository) only on the API's own origin. */
async function getPage(url: string, ctx: Context): Promise<Page> {
  const timeout = AbortSignal.timeout(ctx.timeoutMs);
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout;
  const what = `the releases of ${ctx.label}`;
  let target = url;
  for (let hop = 0; ; hop++) {
    let res: Response;
    try {
      res = await fetch(target, {
        headers: { accept: "application/vnd.github+json", "user-agent": `pushpals/${VERSION}`, "x-github-api-version": "2022-11-28" },
        redirect: "manual",
        signal,
      });
    } catch (err) {
      if (ctx.signal?.aborted) throw cancelled(ctx);
      if (timeout.aborted) return { problem: `${ctx.host} did not answer for ${what} within ${seconds(ctx.timeoutMs)}` };
      return { problem: `could not reach ${ctx.host} for ${what} (${codeOf(err)})` };
    }
    if ([301, 302, 303, 307, 308].includes(res.status)) {
      await discard(res);
      const header = res.headers.get("location");
      const location = header ? parseUrl(header, target) : null;
      if (location === null || !onApi(location, ctx.api)) return { problem: `${ctx.host} redirected ${what} off the API (HTTP ${res.status}): not followed` };
      if (hop >= MAX_REDIRECTS) return { problem: `${ctx.host} redirected ${what} more than ${MAX_REDIRECTS} times` };
      target = location.href;
      continue;
    }
    if (res.status !== 200) {
      await discard(res);
      return { problem: statusProblem(res, ctx) };
    }
    let bytes: Uint8Array | "too_large";
    try {
      bytes = await readBounded(res, ctx.maxBytes);
    } catch (err) {
      if (ctx.signal?.aborted) throw cancelled(ctx);
      if (timeout.aborted) return { problem: `${ctx.host} did not finish sending ${what} within ${seconds(ctx.timeoutMs)}` };
      return { problem: `the connection to ${ctx.host} broke while it sent ${what} (${codeOf(err)})` };
    }
    if (bytes === "too_large") return { problem: `${what} on ${ctx.host} are larger than ${ctx.maxBytes / 1024 / 1024} MiB a page, more than PushPals reads for release notes` };
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      return { problem: `${ctx.host} sent ${what} as something other than JSON` };
    }
    const page = GithubReleasePage.safeParse(json);
    if (!page.success) return { problem: `${ctx.host} sent ${what} in an unexpected shape` };
    return { releases: page.data.filter((r): r is GithubRelease => r !== null), next: nextPage(res.headers.get("link"), target, ctx.api) };
  }
}

function statusProblem(res: Response, ctx: Context): string {
  const what = `the releases of ${ctx.label}`;
  const status = res.status;
  if (status === 404) return `${ctx.host} has no public repository ${ctx.label} (HTTP 404): it may be private, renamed away or deleted`;
  if (status === 429 || (status === 403 && res.headers.get("x-ratelimit-remaining") === "0")) {
    const reset = Number(res.headers.get("x-ratelimit-reset"));
    const until = Number.isFinite(reset) && reset > 0 && reset < 1e11 ? `, until ${new Date(reset * 1000).toISOString().slice(11, 16)} UTC` : "";
    return `${ctx.host} rate-limits unauthenticated requests (HTTP ${status}${until}) and did not send ${what}`;
  }
  if (status === 401 || status === 403) return `${ctx.host} refused ${what} without a token (HTTP ${status})`;
  if (status >= 500) return `${ctx.host} failed to send ${what} (HTTP ${status})`;
  return `${ctx.host} answered HTTP ${status} for ${what}`;
}

/** A `Link: <...>; rel="next"` on the API's own origin and path, else null. */
function nextPage(link: string | null, base: string, api: URL): string | null {
  for (const part of (link ?? "").split(",")) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    const rel = m ? /;\s*rel\s*=\s*"?([^";]*)/i.exec(m[2]!)?.[1] : undefined;
    if (!m || rel === undefined || !rel.trim().split(/\s+/).includes("next")) continue;
    const url = parseUrl(m[1]!, base);
    return url !== null && onApi(url, api) ? url.href : null;
  }
  return null;
}

function onApi(url: URL, api: URL): boolean {
  const root = api.pathname.replace(/\/+$/, "");
  return url.origin === api.origin && url.username === "" && url.password === "" && (root === "" || url.pathname === root || url.pathname.startsWith(`${root}/`));
}

async function readBounded(res: Response, maxBytes: number): Promise<Uint8Array | "too_large"> {
  const declared = Number(res.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await discard(res);
    return "too_large";
  }
  const reader = res.body?.getReader();
  if (!reader) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return "too_large";
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

async function discard(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => {});
}

interface Tagged {
  version: string;
  /** `name@version`, not a plain version tag. */
  named: boolean;
}

/** The version a tag names for this package, or null (no version, or another package's). */
function tagVersion(tag: string, name: string): Tagged | null {
  const at = tag.lastIndexOf("@");
  if (at > 0 && tag.slice(0, at) !== name) return null;
  const text = (at > 0 ? tag.slice(at + 1) : tag).replace(/^v/, "");
  return semver.valid(text) === text ? { version: text, named: at > 0 } : null;
}

/** This package's tagged releases: only its `name@` ones once the repository has any. */
function ownReleases(releases: readonly GithubRelease[], name: string): { release: GithubRelease; version: string }[] {
  const tagged = releases.flatMap((release) => {
    const tag = tagVersion(release.tag_name, name);
    return tag ? [{ release, ...tag }] : [];
  });
  const named = tagged.some((t) => t.named);
  return tagged.filter((t) => t.named === named).map(({ release, version }) => ({ release, version }));
}

function reachedFrom(releases: readonly GithubRelease[], name: string, from: string): boolean {
  return ownReleases(releases, name).some((r) => semver.lte(r.version, from));
}

function pickReleases(releases: readonly GithubRelease[], name: string, from: string, to: string): { version: string; body: string }[] {
  const toPrerelease = semver.prerelease(to) !== null;
  const toCore = `${semver.major(to)}.${semver.minor(to)}.${semver.patch(to)}`;
  const seen = new Set<string>();
  const picked: { version: string; body: string }[] = [];
  for (const { release, version } of ownReleases(releases, name)) {
    if (release.draft || seen.has(version) || !(semver.gt(version, from) && semver.lte(version, to))) continue;
    const prerelease = release.prerelease || semver.prerelease(version) !== null;
    if (prerelease && !(toPrerelease && version.startsWith(`${toCore}-`))) continue;
    seen.add(version);
    picked.push({ version, body: release.body ?? "" });
  }
  return picked.sort((a, b) => semver.rcompare(a.version, b.version));
}

/** Each body inert and bounded, within the same limits as a changelog's sections; empty ones left out. */
function boundedSections(picked: readonly { version: string; body: string }[]): { sections: ChangelogSection[]; truncated: boolean } {
  const sections: ChangelogSection[] = [];
  let truncated = false;
  let total = 0;
  for (const { version, body } of picked) {
    const text = trimBlankLines(neutralize(body.replace(/\r\n?/g, "\n")).split("\n")).join("\n");
    if (text.trim() === "") continue;
    const max = Math.min(DEFAULT_SECTION_CHARS, DEFAULT_TOTAL_CHARS - total);
    if (max < Math.min(MIN_USEFUL_CHARS, DEFAULT_SECTION_CHARS)) {
      truncated = true;
      break;
    }
    const cut = bounded(text, max);
    truncated ||= cut.cut;
    sections.push({ version, text: cut.text });
    total += cut.text.length;
  }
  return { sections, truncated };
}

function cancelled(ctx: Context): RegistryFailure {
  return new RegistryFailure("cancelled", "cancelled", ctx.name, ctx.host, `stopped while reading the GitHub releases of ${ctx.name}`);
}

function notFound(why: string): ReleaseNotes {
  return { found: false, why: why.replace(/\s+/g, " ").slice(0, 500) };
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** A short name for a network error: its code or its class, never its message. */
function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  const text = typeof code === "string" && code !== "" ? code : err instanceof Error ? err.name : "error";
  return text.replace(/[^A-Za-z0-9_]/g, "").slice(0, 40) || "error";
}
