import { z } from "zod";

export const DiffStatus = z.enum(["added", "modified", "deleted", "renamed", "copied", "type_changed"]);
export type DiffStatus = z.infer<typeof DiffStatus>;

/** One added or removed line: `line` is its number in the new file (added) or the old file (removed). */
export const DiffLine = z.object({
  line: z.number().int().positive(),
  text: z.string(),
});
export type DiffLine = z.infer<typeof DiffLine>;

export const DiffHunk = z.object({
  oldStart: z.number().int().nonnegative(),
  oldLines: z.number().int().nonnegative(),
  newStart: z.number().int().nonnegative(),
  newLines: z.number().int().nonnegative(),
  added: z.array(DiffLine),
  removed: z.array(DiffLine),
});
export type DiffHunk = z.infer<typeof DiffHunk>;

export const ModeChange = z.object({ old: z.string(), new: z.string() });
export type ModeChange = z.infer<typeof ModeChange>;

export const DiffFile = z.object({
  path: z.string(),
  /** The path at the base, for a rename or copy; otherwise null. */
  oldPath: z.string().nullable(),
  status: DiffStatus,
  /** git called it binary, or an added line holds a NUL byte. */
  binary: z.boolean(),
  /** Bytes of the new content; null when deleted or unknown (a gitlink). */
  size: z.number().int().nonnegative().nullable(),
  oldMode: z.string().nullable(),
  newMode: z.string().nullable(),
  /** Set only when both sides exist and their modes differ. */
  modeChange: ModeChange.nullable(),
  oldBlob: z.string().nullable(),
  newBlob: z.string().nullable(),
  hunks: z.array(DiffHunk),
  /** Full text of both sides, loaded for manifests, lockfiles and test files (see parseDiff's `contentsFor`); unset when not loaded or too large. */
  contents: z.object({ old: z.string().nullable(), new: z.string().nullable() }).optional(),
});
export type DiffFile = z.infer<typeof DiffFile>;

export function addedLines(file: DiffFile): DiffLine[] {
  return file.hunks.flatMap((h) => h.added);
}

export function removedLines(file: DiffFile): DiffLine[] {
  return file.hunks.flatMap((h) => h.removed);
}

export function changedLineCount(file: DiffFile): number {
  return file.hunks.reduce((n, h) => n + h.added.length + h.removed.length, 0);
}
