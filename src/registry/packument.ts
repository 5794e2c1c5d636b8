import { z } from "zod";

/**
 * A package's full registry document (a "packument": `GET <registry>/<name>` with `Accept: application/json`),
 * reduced to what the Dependency Steward reads: every version with its `deprecated`, `engines.node` and
 * `repository`, the publish times, the dist-tags and the package's repository. The registry is a remote
 * party: every string and table is bounded, and a field of one version that is not what npm writes (an
 * `engines` array from 2012, a numeric `deprecated`) is dropped from that version rather than failing the
 * package. Unknown fields are stripped, so the cached copy is the reduced document, not the registry's bytes.
 */

/** npm's own limit is 214 characters. */
export const MAX_PACKAGE_NAME = 214;
/** The largest packuments on npm have a few tens of thousands of versions. */
export const MAX_VERSIONS = 100_000;
const MAX_VERSION_TEXT = 256;
const MAX_RANGE_TEXT = 1024;
const MAX_MESSAGE_TEXT = 4096;
const MAX_URL_TEXT = 2048;

/** An npm package name: a scope, then a name; no path tricks (`..`, `/` outside the scope, spaces). */
export const PACKAGE_NAME = /^(?:@[a-z0-9~-][a-z0-9~._-]*\/)?[a-z0-9~-][a-z0-9~._-]*$/i;

export function isPackageName(name: string): boolean {
  return name.length <= MAX_PACKAGE_NAME && PACKAGE_NAME.test(name);
}

const VersionText = z.string().min(1).max(MAX_VERSION_TEXT);
const Repository = z
  .union([
    z.string().max(MAX_URL_TEXT),
    z.object({ type: z.string().max(64).optional(), url: z.string().max(MAX_URL_TEXT).optional(), directory: z.string().max(MAX_URL_TEXT).optional() }),
  ])
  .optional()
  .catch(undefined);

/** `deprecated`: npm writes the message; `""` is what `npm deprecate pkg@v ""` leaves (no longer deprecated). */
const Deprecated = z
  .union([z.string().max(MAX_MESSAGE_TEXT), z.boolean()])
  .optional()
  .catch(undefined)
  .transform((value) => (value === true ? "deprecated" : typeof value === "string" && value !== "" ? value : undefined));

const Engines = z
  .object({ node: z.string().max(MAX_RANGE_TEXT).optional().catch(undefined) })
  .optional()
  .catch(undefined);

/** Where the version's tarball is and its hash (release notes are read from it; npm installs it). */
const Dist = z
  .object({ tarball: z.string().max(2048).optional().catch(undefined), integrity: z.string().max(1024).optional().catch(undefined) })
  .optional()
  .catch(undefined);

export const PackumentVersion = z.object({
  version: VersionText,
  deprecated: Deprecated,
  engines: Engines,
  repository: Repository,
  dist: Dist,
});
export type PackumentVersion = z.infer<typeof PackumentVersion>;

const boundedRecord = <T extends z.ZodType>(value: T, max: number, what: string) =>
  z.record(z.string().max(MAX_VERSION_TEXT), value).refine((r) => Object.keys(r).length <= max, `more than ${max} ${what}`);

export const Packument = z.object({
  name: z.string().min(1).max(MAX_PACKAGE_NAME),
  "dist-tags": boundedRecord(VersionText, 1024, "dist-tags").optional().catch(undefined),
  /** Keyed by version; an entry that is not a version's document, or names another version, is dropped. */
  versions: boundedRecord(PackumentVersion.nullable().catch(null), MAX_VERSIONS, "versions").transform((versions) =>
    Object.fromEntries(Object.entries(versions).filter((entry): entry is [string, PackumentVersion] => entry[1] !== null && entry[1].version === entry[0])),
  ),
  /** Version -> ISO publish time, plus `created` and `modified`. A version without one is treated as too new. */
  time: boundedRecord(z.string().max(64), MAX_VERSIONS + 2, "publish times").optional().catch(undefined),
  repository: Repository,
});
export type Packument = z.infer<typeof Packument>;

/** The first problem of a document that is no packument, in a few words (for the failure's message). */
export function packumentProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "not a package document";
  const at = issue.path.length > 0 ? ` at ${issue.path.slice(0, 3).map(String).join(".").slice(0, 200)}` : "";
  return `${issue.message}${at}`;
}
