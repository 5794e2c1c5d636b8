import { createHash } from "node:crypto";
import { createGunzip } from "node:zlib";
import npmFetch, { type RegistryError, type RegistryResponse } from "npm-registry-fetch";
import semver from "semver";
import { Parser } from "tar/parse";
import type { ReadEntry } from "tar/read-entry";
import { JobFailure } from "../core/job-failure.ts";
import type { NpmConfigSources } from "../deps/npm-config.ts";
import { isPackageName } from "../registry/packument.ts";
import { RegistryFailure } from "../registry/registry-failure.ts";
import { isAllowedRegistry, registryFor, registryHost, registryLabel, registrySettings } from "../registry/registry-config.ts";
import { linkedAbort, readRegistryBody, registryFetchOptions, registryRequestFailure, type Fail, type Wording } from "../registry/registry-request.ts";
import { changelogSections, type ChangelogSection } from "./changelog-sections.ts";

/**
 * The release notes of an update: the sections of the package's own changelog (CHANGELOG, HISTORY,
 * CHANGES, RELEASES or NEWS at the package's root, in the published tarball of `to`) for the versions
 * after `from` up to `to` (changelog-sections.ts, which also makes the text inert for a PR body).
 *
 * The tarball is untrusted and is handled like npm handles it, but read only in memory:
 * - It is downloaded only from the package's own registry (its scope's, else the default; one of the
 *   user's npm configuration or a public one): a `dist.tarball` on any other origin is refused, so a
 *   registry document cannot send PushPals (or a credential) elsewhere. Credentials are npm-registry-fetch's
 *   own choice for that registry (registry-request.ts). As npm does by default (`replace-registry-host=npmjs`),
 *   a tarball URL on registry.npmjs.org is read from the configured registry instead.
 * - At most `maxTarballBytes` are read; `integrity` (SRI, as `dist.integrity`) is checked with node:crypto
 *   over the bytes (ssri is only a dependency of a dependency here); it unpacks to at most 256 MiB.
 * - The tar is read with node-tar's `Parser` (npm's own tar reader, the one pacote uses): it parses a stream
 *   fed from memory and emits entries; only `Unpack` writes to disk, and it is never used. It handles what a
 *   tiny ustar reader would have to relearn (pax and GNU long names, base-256 sizes, odd tarballs npm accepts).
 *   Only regular files are read (a link is not followed), the first 1 MiB of each candidate.
 * - A package's root is the tarball's single top folder (`package/` as npm packs, other names in old
 *   tarballs, as npm's own strip of the first path part treats them).
 *
 * Notes are nice to have: a registry fault, a tarball that is not one, a missing changelog or one naming
 * none of the versions is `{ found: false, why }` (one line), never a throw. Only a cancellation throws
 * (a RegistryFailure of class `cancelled`). `found: true` always has at least one section.
 */
export interface ReleaseNotesRequest {
  name: string;
  from: string;
  to: string;
  /** `dist.tarball` of `to`, from the packument. */
  tarball: string;
  /** `dist.integrity` of `to`, if the packument has one. */
  integrity?: string | null;
}

export type ReleaseNotes = { found: true; file: string; sections: ChangelogSection[]; truncated: boolean } | { found: false; why: string };

export interface ReleaseNotesOptions {
  npmConfig: NpmConfigSources;
  /** Per attempt, for the response and again for its body (default 30 s). */
  timeoutMs?: number;
  /** The largest tarball read (default 32 MiB). */
  maxTarballBytes?: number;
  signal?: AbortSignal;
}

export const DEFAULT_MAX_TARBALL_BYTES = 32 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_UNPACKED_BYTES = 256 * 1024 * 1024;
const MAX_CHANGELOG_BYTES = 1024 * 1024;
const NPMJS = "https://registry.npmjs.org/";

/** Preferred first: the base name, then the extension. */
const CHANGELOG_NAMES = ["changelog", "history", "changes", "releases", "news"];
const CHANGELOG_EXTENSIONS = [".md", ".markdown", "", ".txt"];
const CHANGELOG_FILE = /^(changelog|history|changes|releases|news)(\.md|\.markdown|\.txt)?$/i;
const SRI_ALGORITHMS = ["sha512", "sha384", "sha256", "sha1"] as const;

export async function fetchReleaseNotes(req: ReleaseNotesRequest, options: ReleaseNotesOptions): Promise<ReleaseNotes> {
  try {
    return await releaseNotes(req, options);
  } catch (err) {
    if (err instanceof RegistryFailure && err.fault === "cancelled") throw err;
    if (options.signal?.aborted) throw new RegistryFailure("cancelled", "cancelled", req.name, "(none)", `stopped while reading the release notes of ${req.name}`);
    if (err instanceof JobFailure) return notFound(err.message);
    throw err;
  }
}

async function releaseNotes(req: ReleaseNotesRequest, options: ReleaseNotesOptions): Promise<ReleaseNotes> {
  const { name, from, to } = req;
  if (!isPackageName(name)) return notFound(`${JSON.stringify(name.slice(0, 240))} is not an npm package name`);
  if (semver.valid(from) === null || semver.valid(to) === null) return notFound(`${name}: ${JSON.stringify(from.slice(0, 64))} to ${JSON.stringify(to.slice(0, 64))} is not an update between two versions`);
  if (!semver.gt(to, from)) return notFound(`${name}: no version comes after ${from} up to ${to}`);

  const settings = registrySettings(options.npmConfig);
  const registry = registryFor(settings, name);
  const host = registryHost(registry);
  const fail: Fail = (cls, fault, message, notRetryable) => new RegistryFailure(cls, fault, name, host, settings.scrub(message), notRetryable ? { notRetryable } : {});
  if (!isAllowedRegistry(settings, registry)) return notFound(`${name} would come from ${registryLabel(registry)}, which only the committed .npmrc names: no tarball is read from it`);
  const url = tarballUrl(req.tarball, registry);
  if (typeof url !== "string") return notFound(settings.scrub(`the tarball of ${name}@${to} ${url.problem}`));

  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const wording: Wording = { what: `the tarball of ${name}@${to}`, subject: `${name}@${to}` };
  const { controller, release } = linkedAbort(options.signal);
  let tarball: Buffer;
  try {
    let res: RegistryResponse;
    try {
      res = await npmFetch(url, registryFetchOptions(settings, registry, { timeoutMs, signal: controller.signal, headers: { accept: "application/octet-stream, */*" }, redirect: "manual" }));
    } catch (err) {
      throw registryRequestFailure(err as RegistryError, { registry, timeoutMs, signal: controller.signal, fail, wording });
    }
    if (res.status !== 200) {
      res.body.resume();
      const moved = res.status >= 300 && res.status < 400 ? " (a redirect, not followed: release notes are read from the registry itself)" : "";
      throw fail("environment", "http_error", `the registry ${host} answered HTTP ${res.status} for ${wording.what}${moved}`);
    }
    tarball = await readRegistryBody(res, {
      maxBytes: options.maxTarballBytes ?? DEFAULT_MAX_TARBALL_BYTES,
      timeoutMs,
      signal: controller.signal,
      host,
      fail,
      wording,
      tooLarge: (limit) => fail("environment", "too_large", `${wording.what} is larger than ${limit}, more than PushPals reads for release notes`),
    });
  } finally {
    release();
  }

  const integrity = req.integrity ? checkIntegrity(tarball, req.integrity) : "unchecked";
  if (integrity === "unsupported") return notFound(`${wording.what} has an integrity PushPals cannot check (${SRI_ALGORITHMS.join(", ")} only): it was not read`);
  if (integrity === "mismatch") return notFound(`${wording.what} from ${host} does not match its integrity: it was not read`);

  const files = await rootChangelogs(tarball);
  if (options.signal?.aborted) throw fail("cancelled", "cancelled", `stopped while reading ${wording.what}`);
  if ("problem" in files) return notFound(`${wording.what} ${files.problem}`);
  const file = pickChangelog(files);
  if (!file) return notFound(`${name}@${to} ships no changelog (CHANGELOG, HISTORY, CHANGES, RELEASES or NEWS at its root)`);
  const { text, cut } = decode(file.bytes, file.cut);
  const { sections, truncated } = changelogSections(text, from, to);
  if (sections.length === 0) return notFound(`${file.name} of ${name}@${to} has no section for a version after ${from} up to ${to}`);
  return { found: true, file: file.name, sections, truncated: truncated || cut };
}

function notFound(why: string): ReleaseNotes {
  return { found: false, why: why.replace(/\s+/g, " ").slice(0, 500) };
}

/** The URL to download, or why not: on the registry's origin only (a registry.npmjs.org one is read from `registry`). */
function tarballUrl(tarball: string, registry: string): string | { problem: string } {
  let url: URL;
  try {
    url = new URL(tarball);
  } catch {
    return { problem: "has no valid URL in the registry's document" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { problem: `is not at an http(s) URL (${url.protocol.slice(0, 20)})` };
  if (url.username !== "" || url.password !== "") return { problem: "has a URL with credentials in it: it was not downloaded" };
  const home = new URL(registry);
  if (url.origin === new URL(NPMJS).origin && home.origin !== url.origin) {
    return `${registry}${url.pathname.replace(/^\//, "")}${url.search}`;
  }
  if (url.origin !== home.origin) return { problem: `is on ${url.host}, not on the package's registry ${home.host}: PushPals downloads a tarball only from the registry the package comes from` };
  return url.href;
}

/** SRI (`sha512-<base64>`, several separated by spaces): the strongest algorithm present decides, as ssri does. */
function checkIntegrity(data: Buffer, sri: string): "ok" | "mismatch" | "unsupported" {
  const hashes = sri
    .trim()
    .split(/\s+/)
    .map((token) => /^(sha512|sha384|sha256|sha1)-([A-Za-z0-9+/]+={0,2})(?:\?\S*)?$/.exec(token))
    .filter((m): m is RegExpExecArray => m !== null);
  const algorithm = SRI_ALGORITHMS.find((a) => hashes.some((m) => m[1] === a));
  if (algorithm === undefined) return "unsupported";
  const digest = createHash(algorithm).update(data).digest("base64");
  return hashes.some((m) => m[1] === algorithm && m[2] === digest) ? "ok" : "mismatch";
}

interface Candidate {
  name: string;
  bytes: Buffer;
  /** More than MAX_CHANGELOG_BYTES: `bytes` is the first part. */
  cut: boolean;
}

/** The changelog candidates at the root of a (gzipped) tarball, keyed by base name; or why it could not be read. */
async function rootChangelogs(tarball: Buffer): Promise<Map<string, Candidate> | { problem: string }> {
  const found = new Map<string, Candidate>();
  let problem: string | null = null;
  const parser = new Parser({
    strict: false,
    onReadEntry: (entry: ReadEntry) => {
      const parts = entry.path.replace(/^(\.\/)+/, "").split("/").filter((p) => p !== "");
      const base = parts[1];
      if (parts.length !== 2 || base === undefined || !CHANGELOG_FILE.test(base) || !(entry.type === "File" || entry.type === "OldFile" || entry.type === "ContiguousFile")) {
        entry.resume();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let cut = false;
      entry.on("data", (chunk: Buffer) => {
        const room = MAX_CHANGELOG_BYTES - size;
        if (chunk.length > room) cut = true;
        if (room > 0) {
          chunks.push(chunk.subarray(0, room));
          size += Math.min(room, chunk.length);
        }
      });
      // A later entry of the same name wins, as when the tarball is unpacked.
      entry.on("end", () => found.set(base, { name: base, bytes: Buffer.concat(chunks), cut }));
    },
  });
  parser.on("warn", (code: string) => {
    if (code === "TAR_BAD_ARCHIVE") problem ??= "is not a readable tar archive";
  });
  const gzipped = tarball[0] === 0x1f && tarball[1] === 0x8b;
  await new Promise<void>((resolve) => {
    parser.on("end", () => resolve());
    // An unrecoverable fault (node-tar emits it even when not strict), or an abort.
    parser.on("error", () => {
      problem ??= "is not a readable tar archive";
      resolve();
    });
    if (!gzipped) {
      parser.end(tarball);
      return;
    }
    const gunzip = createGunzip();
    let unpacked = 0;
    gunzip.on("data", (chunk: Buffer) => {
      unpacked += chunk.length;
      if (unpacked > MAX_UNPACKED_BYTES) {
        problem ??= `unpacks to more than ${MAX_UNPACKED_BYTES / 1024 / 1024} MiB`;
        gunzip.destroy();
        resolve();
        return;
      }
      if (!parser.write(chunk)) {
        gunzip.pause();
        parser.once("drain", () => gunzip.resume());
      }
    });
    gunzip.on("end", () => parser.end());
    gunzip.on("error", () => {
      problem ??= "is not a readable gzip file";
      resolve();
    });
    gunzip.end(tarball);
  });
  return problem !== null ? { problem } : found;
}

function pickChangelog(files: Map<string, Candidate>): Candidate | null {
  const byKey = new Map([...files.values()].map((f) => [f.name.toLowerCase(), f] as const));
  for (const base of CHANGELOG_NAMES) {
    for (const ext of CHANGELOG_EXTENSIONS) {
      const file = byKey.get(`${base}${ext}`);
      if (file) return file;
    }
  }
  return null;
}

/** UTF-8 text; a file cut at 1 MiB loses its last, partial line. */
function decode(bytes: Buffer, cut: boolean): { text: string; cut: boolean } {
  const text = bytes.toString("utf8");
  if (!cut) return { text, cut };
  const newline = text.lastIndexOf("\n");
  return { text: newline > 0 ? text.slice(0, newline) : text, cut };
}
