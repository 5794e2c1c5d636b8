import { diffLines, type Hunk } from "./line-diff.ts";

/**
 * A line-level three-way merge for changelogs, pure and deterministic. The usual conflict is both sides
 * adding entries at the same place (under "## Unreleased", above the last release): both are kept, ours
 * first; lines both sides added identically at the start or end of their blocks are kept once (so a
 * heading both created appears once). Edits of base lines merge when the other side changed nothing at or
 * next to them; an edit touching the other side's change (an insertion right above or below an edited line
 * included) is refused, and so is one side editing or deleting a heading while the other adds lines to
 * that heading's section: when "## Unreleased" became "## 1.2.0", an entry the other side added under it
 * would land in a release it was not part of.
 *
 * Lines compare without their line ending; the result is written with ours' (CRLF when most of ours'
 * line breaks are CRLF). When one side is textually base, the other side's text is returned as it is.
 */
export type ChangelogMerge = { ok: true; text: string } | { ok: false; why: string };

export const MAX_CHANGELOG_BYTES = 1024 * 1024;
export const MAX_CHANGELOG_LINES = 20_000;

type Side = "base" | "ours" | "theirs";
type Lines = { lines: string[]; finalNewline: boolean; eol: "\n" | "\r\n" | null };
type Tagged = Hunk & { side: "ours" | "theirs" };

export function mergeChangelog(base: string, ours: string, theirs: string): ChangelogMerge {
  for (const [side, text] of [["base", base], ["ours", ours], ["theirs", theirs]] as [Side, string][]) {
    if (Buffer.byteLength(text, "utf8") > MAX_CHANGELOG_BYTES) return { ok: false, why: `${side} is larger than 1 MiB` };
  }
  const [b, o, t] = [splitLines(base), splitLines(ours), splitLines(theirs)];
  for (const [side, file] of [["base", b], ["ours", o], ["theirs", t]] as [Side, Lines][]) {
    if (file.lines.length > MAX_CHANGELOG_LINES) return { ok: false, why: `${side} has more than ${MAX_CHANGELOG_LINES} lines` };
  }
  if (ours === theirs || theirs === base) return { ok: true, text: ours };
  if (ours === base) return { ok: true, text: theirs };

  const oursHunks = diffLines(b.lines, o.lines);
  const theirsHunks = diffLines(b.lines, t.lines);
  if (!oursHunks || !theirsHunks) return { ok: false, why: `${!oursHunks ? "ours" : "theirs"} differs from base in too many lines to merge line by line` };

  const moved = headingMovedUnderInsertion(b.lines, oursHunks, theirsHunks, "ours", "theirs") ?? headingMovedUnderInsertion(b.lines, theirsHunks, oursHunks, "theirs", "ours");
  if (moved) return { ok: false, why: moved };
  const merged = mergeHunks(b.lines, [...oursHunks.map((h) => ({ ...h, side: "ours" as const })), ...theirsHunks.map((h) => ({ ...h, side: "theirs" as const }))]);
  if (!merged.ok) return merged;
  const finalNewline = o.finalNewline !== b.finalNewline ? o.finalNewline : t.finalNewline;
  const eol = o.eol ?? b.eol ?? t.eol ?? "\n";
  const text = merged.lines.join(eol) + (finalNewline && merged.lines.length > 0 ? eol : "");
  return { ok: true, text };
}

function splitLines(text: string): Lines {
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/\n/g) ?? []).length;
  const eol = lf === 0 ? null : crlf * 2 > lf ? "\r\n" : "\n";
  if (text === "") return { lines: [], finalNewline: false, eol };
  const lines = text.split(/\r?\n/);
  const finalNewline = lines[lines.length - 1] === "";
  if (finalNewline) lines.pop();
  return { lines, finalNewline, eol };
}

/** Hunks from both sides applied to base, or why they cannot both be. */
function mergeHunks(base: string[], hunks: Tagged[]): { ok: true; lines: string[] } | { ok: false; why: string } {
  // By position; at one position ours first, and an insertion before a change there.
  hunks.sort((x, y) => x.start - y.start || x.end - y.end || (x.side === y.side ? 0 : x.side === "ours" ? -1 : 1));
  const out: string[] = [];
  let at = 0;
  let i = 0;
  while (i < hunks.length) {
    // A cluster: hunks that overlap or touch (the same side's hunks never touch each other).
    const cluster = [hunks[i]!];
    let end = hunks[i]!.end;
    for (i++; i < hunks.length && hunks[i]!.start <= end; i++) {
      cluster.push(hunks[i]!);
      end = Math.max(end, hunks[i]!.end);
    }
    const resolved = resolveCluster(cluster);
    if (resolved === null) return { ok: false, why: overlapWhy(cluster) };
    out.push(...base.slice(at, cluster[0]!.start), ...resolved);
    at = end;
  }
  out.push(...base.slice(at));
  return { ok: true, lines: out };
}

function resolveCluster(cluster: Tagged[]): string[] | null {
  if (cluster.length === 1) return cluster[0]!.lines;
  if (cluster.length !== 2) return null;
  const [x, y] = cluster as [Tagged, Tagged];
  const same = x.start === y.start && x.end === y.end;
  if (same && sameLines(x.lines, y.lines)) return x.lines;
  if (same && x.start === x.end) return joinInsertions(x.lines, y.lines);
  return null;
}

/** Ours' block then theirs', with the lines both blocks begin or end with kept once. */
function joinInsertions(ours: string[], theirs: string[]): string[] {
  const shorter = Math.min(ours.length, theirs.length);
  let head = 0;
  while (head < shorter && ours[head] === theirs[head]) head++;
  let tail = 0;
  while (tail < shorter - head && ours[ours.length - 1 - tail] === theirs[theirs.length - 1 - tail]) tail++;
  return [...ours.slice(0, ours.length - tail), ...theirs.slice(head, theirs.length - tail), ...ours.slice(ours.length - tail)];
}

function sameLines(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((line, i) => line === b[i]);
}

function overlapWhy(cluster: Tagged[]): string {
  const start = cluster[0]!.start;
  const end = Math.max(...cluster.map((h) => h.end));
  const where = end > start + 1 ? `base lines ${start + 1}-${end}` : `base line ${start + 1}`;
  return `ours and theirs both change ${where} (deleted or edited lines, or insertions next to them)`;
}

const HEADING = /^(#{1,6})(?:\s|$)/;

/** Why `changer` editing a heading conflicts with `adder` inserting into that heading's section, if it does. */
function headingMovedUnderInsertion(base: string[], changes: Hunk[], additions: Hunk[], changer: string, adder: string): string | null {
  for (const change of changes) {
    for (let h = change.start; h < change.end; h++) {
      const level = HEADING.exec(base[h]!)?.[1]!.length;
      if (level === undefined) continue;
      let sectionEnd = h + 1;
      while (sectionEnd < base.length && !((HEADING.exec(base[sectionEnd]!)?.[1]!.length ?? 7) <= level)) sectionEnd++;
      const inside = additions.find((add) => add.start > h && add.start <= sectionEnd && addsEntries(add.lines, level));
      if (inside) return `${changer} edits or deletes the heading at base line ${h + 1} (${base[h]}) while ${adder} adds lines to its section`;
    }
  }
  return null;
}

/** Whether a block puts text into the section it lands in, before opening a section of its own. */
function addsEntries(lines: string[], level: number): boolean {
  for (const line of lines) {
    const heading = HEADING.exec(line)?.[1]!.length;
    if (heading !== undefined && heading <= level) return false;
    if (line.trim() !== "") return true;
  }
  return false;
}
