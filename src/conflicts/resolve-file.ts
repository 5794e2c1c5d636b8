import { posix } from "node:path";
import { isEcosystemLockfile } from "../ecosystems/lockfile-changes.ts";
import { mergeChangelog } from "./changelog-merge.ts";
import { conflictHunks } from "./hunks.ts";
import { mergeJson } from "./json-merge.ts";

/** A conflicted file's three sides (null: the side has no such file) and what git left in the working tree. */
export interface ConflictSides {
  base: string | null;
  ours: string | null;
  theirs: string | null;
  /** The working tree's text, with git's conflict markers. */
  merged: string | null;
}

export type FileOutcome =
  | { strategy: "lockfile"; text: string; notes: string[] }
  | { strategy: "json" | "changelog" | "structured" | "model"; text: string; notes: string[] }
  /** `textMerge`: only git's line merge was tried (a structured merge driver may still resolve it). */
  | { strategy: "unresolved"; notes: string[]; hunks: string | null; textMerge?: true };

const CHANGELOG = /^(changelog|history|changes|news|releases)(\.(md|markdown|txt|rst))?$/i;

/**
 * One conflicted file's resolution, by the first strategy that applies, in the issue's order. Pure:
 * - a lockfile: the base's, to be regenerated from the merged manifests by the package manager;
 * - a JSON file: the structural three-way merge (json-merge.ts);
 * - a changelog: both sides' new entries, in order (changelog-merge.ts);
 * - anything else is unresolved here (git's rerere already ran), marked `textMerge` for the structured
 *   merge driver the handler tries next when one is installed (structured-merge.ts).
 * A file added, deleted or renamed on one side only is never guessed at.
 */
export function resolveFile(path: string, sides: ConflictSides): FileOutcome {
  const name = posix.basename(path);
  const unresolved = (why: string): FileOutcome => ({ strategy: "unresolved", notes: [why], hunks: sides.merged === null ? null : conflictHunks(sides.merged) });
  if (sides.ours === null || sides.theirs === null) return unresolved(`${sides.ours === null ? "the PR deleted it" : "the base deleted it"} while the other side changed it`);
  if (isEcosystemLockfile(path)) return { strategy: "lockfile", text: sides.theirs, notes: ["the base's lockfile, regenerated from the merged manifests"] };
  if (sides.base === null) return unresolved("both sides added it, differently");
  if (name.endsWith(".json")) {
    const merged = mergeJson(sides.base, sides.ours, sides.theirs, { fileName: path });
    if (merged.ok) return { strategy: "json", text: merged.text, notes: ["a structural merge of the keys", ...merged.notes] };
    return unresolved(merged.conflicts.map((c) => `${c.path.join(".") || "(the file)"}: ${c.why}`).join("; ").slice(0, 500));
  }
  if (CHANGELOG.test(name)) {
    const merged = mergeChangelog(sides.base, sides.ours, sides.theirs);
    if (merged.ok) return { strategy: "changelog", text: merged.text, notes: ["both sides' new entries, the PR's first"] };
    return unresolved(merged.why);
  }
  return { ...unresolved("a change both sides made to the same lines: a person decides"), textMerge: true } as FileOutcome;
}
