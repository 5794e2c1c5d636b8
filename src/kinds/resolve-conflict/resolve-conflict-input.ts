import { z } from "zod";
import { Sha } from "../../core/sha.ts";
import { PrProposal } from "../../prs/pr-types.ts";

/** Resolve PR `prNumber`'s conflicts with its base: its recorded head then, and the base commit to merge in. */
export const ResolveConflictInput = z.strictObject({
  prNumber: z.number().int().positive(),
  headSha: Sha,
  baseBranch: z.string().min(1).max(255),
  baseCommit: Sha,
});
export type ResolveConflictInput = z.infer<typeof ResolveConflictInput>;

/** How one conflicted file was resolved, or why it was not. */
export const FileResolution = z.object({
  path: z.string().max(4096),
  strategy: z.enum(["lockfile", "json", "changelog", "rerere", "structured", "model", "unresolved"]),
  notes: z.array(z.string().max(500)).max(50),
  /** An unresolved file's conflict hunks (bounded), for the person who decides. */
  hunks: z.string().max(8_000).nullable(),
});
export type FileResolution = z.infer<typeof FileResolution>;

/**
 * A resolution: `pr` is the PR's new head (its base merged in, every conflict resolved and checked), or
 * absent when a file stayed unresolved (then `files` says which and why, for a person) or nothing conflicts.
 */
export const ResolveConflictResult = z.object({
  prNumber: z.number().int().positive(),
  pr: PrProposal.optional(),
  files: z.array(FileResolution).max(1_000),
  /** Both sides' commit subjects since they diverged: the intent a person weighs. */
  ours: z.array(z.string().max(300)).max(50),
  theirs: z.array(z.string().max(300)).max(50),
  previousHead: Sha,
});
export type ResolveConflictResult = z.infer<typeof ResolveConflictResult>;
