import { dependencyNames, LockfileError, recordOf, sectionOf, splitNameAndSpec, stringOf, withDependencies, type LockedPackage } from "../common/lockfile.ts";

/** Specs of entries that are not registry packages, as the first element of a bun.lock entry writes them. */
const LOCAL = /^(workspace|file|link):/;
const GIT = /^(git\+|git:|github:|gitlab:|bitbucket:)/;
const TARBALL_URL = /^https?:\/\//i;
const TARBALL_PATH = /^(\.{1,2}\/|\/)/;
const EDGE_SECTIONS = ["dependencies", "optionalDependencies", "peerDependencies"];

/**
 * bun.lock, Bun's text lockfile (JSONC). `packages` is keyed by install path ("a", "a/b" for a nested
 * copy) and each entry is an array led by "name@spec":
 *   registry: ["a@1.0.0", registry tarball URL or "" (the default registry), {info}, "sha512-..."]
 *   git:      ["a@git+https://host/r.git#sha", {info}, "sha"]   (github: too)
 *   tarball:  ["a@https://host/a.tgz", {info}, "sha512-..."]   or a local "./a.tgz"
 *   folder:   ["a@file:path", {info}], ["a@link:path", {info}], ["a@workspace:path"]
 * Only registry entries carry a version; for the others the spec is where they come from. {info} holds
 * the entry's edges (`dependencies`, `optionalDependencies`, `peerDependencies`, as package.json writes them).
 * bun.lockb, the binary lockfile before it, cannot be read.
 */
export function parseBunLockfile(text: string, fileName: string): LockedPackage[] {
  if (fileName.endsWith(".lockb")) throw new LockfileError(fileName, "a binary lockfile: what it resolves cannot be read (commit the text bun.lock instead: bun install --save-text-lockfile)");
  const parsed = parseDocument(text, fileName);
  return Object.entries(sectionOf(parsed, "packages", fileName)).map(([key, value]) => fromEntry(key, value, fileName));
}

function parseDocument(text: string, fileName: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = Bun.JSONC.parse(text);
  } catch (err) {
    throw new LockfileError(fileName, `not valid JSONC (${err instanceof Error ? err.message : String(err)})`);
  }
  const object = recordOf(value);
  if (!object) throw new LockfileError(fileName, "not a JSON object");
  if (typeof object.lockfileVersion !== "number") throw new LockfileError(fileName, "no numeric lockfileVersion");
  return object;
}

function fromEntry(key: string, value: unknown, fileName: string): LockedPackage {
  const bad = (why: string) => new LockfileError(fileName, `the entry ${JSON.stringify(key)} ${why}`);
  if (!Array.isArray(value) || typeof value[0] !== "string") throw bad('is not an array led by "name@spec"');
  const { name, spec } = splitNameAndSpec(value[0]);
  if (spec === "") throw bad(`names no version or source (${JSON.stringify(value[0])})`);
  const rest = value.slice(1) as unknown[];
  const edges = (info: unknown) => withDependencies(dependencyNames(recordOf(info) ?? {}, EDGE_SECTIONS));
  if (LOCAL.test(spec)) return { key, name, version: null, resolved: spec, integrity: null, ...edges(rest[0]) };
  if (GIT.test(spec)) return { key, name, version: null, resolved: spec, integrity: stringOf(rest.at(-1)), ...edges(rest[0]) };
  if (TARBALL_URL.test(spec) || TARBALL_PATH.test(spec)) return { key, name, version: null, resolved: spec, integrity: stringOf(rest[1]), ...edges(rest[0]) };
  if (typeof rest[0] !== "string") throw bad("has no registry field");
  return { key, name, version: spec, resolved: stringOf(rest[0]), integrity: stringOf(rest[2]), ...edges(rest[1]) };
}
