import { posix } from "node:path";
import { z } from "zod";
import { RiskTier } from "../core/risk-tier.ts";
import { PACKAGE_JSON } from "../ecosystems/common/package-json.ts";

/** One changed file, as `git diff --numstat` and `--raw` describe it. */
export const DiffFile = z.object({
  path: z.string().min(1),
  status: z.enum(["added", "modified", "deleted", "renamed", "type_changed"]),
  /** The path before a rename. */
  oldPath: z.string().min(1).optional(),
  additions: z.number().int().nonnegative(),
  deletions: z.number().int().nonnegative(),
  /** git saw binary content (numstat "-"). */
  binary: z.boolean().optional(),
  /** The new mode is executable (100755). */
  executable: z.boolean().optional(),
  /** The old mode was executable; a file that stays executable is not a new executable. */
  oldExecutable: z.boolean().optional(),
});
export type DiffFile = z.infer<typeof DiffFile>;

const Json = z.record(z.string(), z.unknown());

/** A package.json on both sides of the change (null: absent on that side). */
export const ManifestChange = z.object({
  path: z.string().min(1),
  before: Json.nullable(),
  after: Json.nullable(),
});
export type ManifestChange = z.infer<typeof ManifestChange>;

/** The added and removed lines of one text file (a `-U0` diff): new network use is read from them. */
export const FilePatch = z.object({
  path: z.string().min(1),
  added: z.array(z.string()),
  removed: z.array(z.string()),
});
export type FilePatch = z.infer<typeof FilePatch>;

/**
 * Both sides of a changed lockfile of a registered ecosystem (null: absent on that side), compared
 * package by package; `unread` says why its text could not be given (too large, not a regular file...).
 */
export const LockfileChange = z.object({
  path: z.string().min(1),
  /** The path before a rename. */
  oldPath: z.string().min(1).optional(),
  before: z.string().nullable(),
  after: z.string().nullable(),
  unread: z.string().optional(),
});
export type LockfileChange = z.infer<typeof LockfileChange>;

export const ClassificationInput = z.object({
  /** The tier the job declared (RunInput.risk); the result is never lower. */
  declared: RiskTier.optional(),
  /** The worker role that made the change (a key of the policy's [roles]). */
  role: z.string().optional(),
  files: z.array(DiffFile),
  /** The root package.json (shorthand for a `manifests` entry with path "package.json"). */
  packageJson: z.object({ before: Json.nullable(), after: Json.nullable() }).optional(),
  /** Every package.json the change touches or whose package it touches, before and after. */
  manifests: z.array(ManifestChange).optional(),
  /** Directories holding a package.json at the head ("" is the repository root). Default: "" and the manifests' directories. */
  packageRoots: z.array(z.string()).optional(),
  /** Job kinds that ran with the network (`sandbox.network`) while making this change. */
  networkKinds: z.array(z.string()).optional(),
  /** Added and removed lines of text files; without them, new network use in code is not looked for. */
  patches: z.array(FilePatch).optional(),
  /** Every changed lockfile of a registered ecosystem, both sides; without them, redirected resolutions are not looked for. */
  lockfiles: z.array(LockfileChange).optional(),
  /** Days since each changed dependency's new version was released, by package name (from the registry). */
  releaseAgeDays: z.record(z.string(), z.number()).optional(),
});
export type ClassificationInput = z.infer<typeof ClassificationInput>;

/** Every manifest of the input, the `packageJson` shorthand included, one per path. */
export function manifestsOf(input: ClassificationInput): ManifestChange[] {
  const out = new Map<string, ManifestChange>();
  if (input.packageJson) out.set(PACKAGE_JSON, { path: PACKAGE_JSON, ...input.packageJson });
  for (const m of input.manifests ?? []) out.set(m.path, m);
  return [...out.values()];
}

/** The directory of a repo-relative path ("" at the root). */
export function dirOf(path: string): string {
  const dir = posix.dirname(path);
  return dir === "." ? "" : dir;
}

/** Each file's path, and its old path for a rename: a change reaches both. */
export function touchedPaths(files: readonly DiffFile[]): string[] {
  const out = new Set<string>();
  for (const f of files) {
    out.add(f.path);
    if (f.oldPath !== undefined) out.add(f.oldPath);
  }
  return [...out].sort();
}
