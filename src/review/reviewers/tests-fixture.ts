/** For tests only: review inputs built from both sides' text of each file. */
import { changedFile, deletedFile, inputFor, newFile } from "../review-fixture.ts";
import type { Finding, ReviewInput } from "../review-types.ts";
import { testsReviewer } from "./tests-reviewer.ts";

export type Side = string | null;
export type Row = [rule: string, severity: Finding["severity"], file: string | null, line: number | null];

const lines = (text: string) => text.replace(/\n$/, "").split("\n");

/** One -U0 hunk from the first to the last differing line (unchanged lines between are removed and re-added: still a valid diff). */
function hunk(before: string, after: string): string {
  const a = lines(before);
  const b = lines(after);
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  const removed = a.slice(p, a.length - s);
  const added = b.slice(p, b.length - s);
  const header = `@@ -${removed.length ? p + 1 : p},${removed.length} +${added.length ? p + 1 : p},${added.length} @@`;
  return [header, ...removed.map((l) => `-${l}`), ...added.map((l) => `+${l}`)].join("\n");
}

/** A diff of files given by both sides' text (null: absent), with those texts loaded as contents unless `load` is false. */
export function change(files: Record<string, [Side, Side]>, load = true): ReviewInput {
  let diff = "";
  const contents: Record<string, { old: Side; new: Side }> = {};
  for (const [path, [before, after]] of Object.entries(files)) {
    if (load) contents[path] = { old: before, new: after };
    if (before === null) diff += newFile(path, lines(after ?? ""));
    else if (after === null) diff += deletedFile(path, lines(before));
    else if (before !== after) diff += changedFile(path, hunk(before, after));
  }
  return inputFor(diff, { contents });
}

/** The tests reviewer's findings on such a change, as [rule, severity, file, line]. */
export async function reviewRows(files: Record<string, [Side, Side]>, load = true): Promise<Row[]> {
  return (await testsReviewer.review(change(files, load))).map((f) => [f.rule, f.severity, f.file, f.line]);
}
