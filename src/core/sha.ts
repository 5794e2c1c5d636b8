import { z } from "zod";

/** A full 40-hex commit SHA, the only form a job, a PR or a gate is bound to (never a short or symbolic ref). */
export const SHA_PATTERN = /^[0-9a-f]{40}$/;

export const Sha = z.string().regex(SHA_PATTERN, "must be a full 40-character commit SHA");
export type Sha = z.infer<typeof Sha>;

export function isSha(value: string): boolean {
  return SHA_PATTERN.test(value);
}

/** A git object id as `git diff --raw` prints it: SHA-1 (40 hex) or, in a SHA-256 repository, 64 hex. */
export const OBJECT_ID_PATTERN = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
