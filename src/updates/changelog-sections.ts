import semver from "semver";

/**
 * The sections of a changelog (markdown, as a package ships it) for the versions an update brings:
 * from (exclusive) to to (inclusive), in the file's order. A section starts at a heading of level 1 to 3,
 * ATX (`## [1.4.0](url) (2024-01-01)`, `# v1.4.0`) or setext (`1.4.0 / 2024-01-01` underlined with === or
 * ---), whose text starts with a version (after an optional package name, "Version" or "Release"), and runs
 * to the next heading of the same or a higher level, or the next version heading. Headings in fenced code
 * are not headings. A section's text is its body, without the heading.
 *
 * The text goes into a pull request's body, so it is made inert there: HTML comments are dropped (an
 * unclosed one would hide the rest of the body), `<` of a tag is written `&lt;` (the tag shows as text, and
 * an unclosed `<details>` cannot swallow what follows), and an `@mention` gets a zero-width joiner after
 * the `@` so nobody is pinged. Code (fenced or inline) is left as it is: GitHub neither pings nor renders
 * HTML there. `#123` references are kept. A fence left open by a cut is closed.
 */
export interface ChangelogSection {
  version: string;
  text: string;
}

export interface SectionLimits {
  /** The longest section text; a longer one is cut and ends in "…". */
  sectionChars: number;
  /** All sections together; past it the rest is left out. */
  totalChars: number;
}

export const DEFAULT_SECTION_CHARS = 4_000;
export const DEFAULT_TOTAL_CHARS = 20_000;
/** A section cut to fit the total is not worth showing when less than this is left for it. */
export const MIN_USEFUL_CHARS = 200;

const ATX = /^ {0,3}(#{1,6})(?:[ \t]+(.*))?$/;
/** A longer line is never a heading: it is not read as one (bounded work per line, whatever the file). */
const MAX_HEADING_LINE = 1_024;
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const NOT_SETEXT_TEXT = /^\s*(?:[-*+][ \t]|\d{1,9}[.)][ \t]|>|#|$)/;
const VERSION_HEADING = /^(?:(?:@[\w.~-]+\/)?[\w.~-]+(?:@|[ \t]+))?v?(\d+\.\d+\.\d+(?:-[0-9a-z-]+(?:\.[0-9a-z-]+)*)?(?:\+[0-9a-z-]+(?:\.[0-9a-z-]+)*)?)(?=$|[^\w.+-]|\.(?!\w))/i;

interface Heading {
  /** First line of the heading, and the line after it (its underline included). */
  start: number;
  end: number;
  level: number;
  version: string | null;
}

export function changelogSections(markdown: string, from: string, to: string, limits: SectionLimits = { sectionChars: DEFAULT_SECTION_CHARS, totalChars: DEFAULT_TOTAL_CHARS }): { sections: ChangelogSection[]; truncated: boolean } {
  if (semver.valid(from) === null || semver.valid(to) === null) return { sections: [], truncated: false };
  const lines = stripComments(markdown.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n")).split("\n");
  const headings = findHeadings(lines);
  const sections: ChangelogSection[] = [];
  const seen = new Set<string>();
  let truncated = false;
  let total = 0;
  for (const [i, heading] of headings.entries()) {
    const version = heading.version;
    if (version === null || heading.level > 3 || seen.has(version)) continue;
    seen.add(version);
    if (!(semver.gt(version, from) && semver.lte(version, to))) continue;
    const next = headings.slice(i + 1).find((h) => h.level <= heading.level || (h.version !== null && h.level <= 3));
    const body = trimBlankLines(lines.slice(heading.end, next?.start ?? lines.length)).join("\n");
    const room = limits.totalChars - total;
    const max = Math.min(limits.sectionChars, room);
    if (max < Math.min(MIN_USEFUL_CHARS, limits.sectionChars)) {
      truncated = true;
      break;
    }
    const cut = bounded(neutralize(body), max);
    truncated ||= cut.cut;
    sections.push({ version, text: cut.text });
    total += cut.text.length;
  }
  return { sections, truncated };
}

/** An ATX heading's text without its optional closing `#`s, trimmed by hand (no backtracking regex). */
function withoutClosingHashes(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === " " || text[end - 1] === "\t")) end--;
  let hashes = end;
  while (hashes > 0 && text[hashes - 1] === "#") hashes--;
  if (hashes < end && (hashes === 0 || text[hashes - 1] === " " || text[hashes - 1] === "\t")) end = hashes;
  return text.slice(0, end).trim();
}

/** The version a heading's text names first, or null: `[1.4.0](url) (2024-01-01)`, `v1.4.0`, `lib@1.4.0`, `<small>1.4.0</small>`. */
export function headingVersion(text: string): string | null {
  const plain = text
    .slice(0, 256)
    .replace(/<[^>]*>/g, "")
    .replace(/!?\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])?/g, "$1")
    .replace(/[`*]/g, "")
    .replace(/^[\s_]+/, "")
    .trim();
  const version = VERSION_HEADING.exec(plain)?.[1];
  return version !== undefined && semver.valid(version) === version ? version : null;
}

/** Mentions made inert, HTML comments dropped and tags shown as text, outside code (see the file's comment). */
export function neutralize(markdown: string): string {
  const out: string[] = [];
  let fence: string | null = null;
  for (const line of stripComments(markdown).split("\n")) {
    const marker = FENCE.exec(line)?.[1];
    if (fence !== null) {
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = null;
      out.push(line);
      continue;
    }
    if (marker !== undefined) {
      fence = marker;
      out.push(line);
      continue;
    }
    // Odd pieces are inline code spans, left as they are.
    out.push(line.split(/(`+[^`]*`+)/).map((piece, i) => (i % 2 === 1 ? piece : inert(piece))).join(""));
  }
  return out.join("\n");
}

function inert(text: string): string {
  return text
    .replace(/<(?!(?:https?:\/\/|mailto:)[^\s<>]*>)(?=[a-z/!?])/gi, "&lt;")
    .replace(/(^|[^\w`/@.+-])@([a-z0-9][a-z0-9-]*)/gi, "$1@\u200D$2");
}

/** Without `<!-- ... -->` (an unclosed one runs to the end). */
function stripComments(text: string): string {
  return text.replace(/<!--[\s\S]*?(?:-->|$)/g, "");
}

function findHeadings(lines: string[]): Heading[] {
  const headings: Heading[] = [];
  let fence: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const marker = FENCE.exec(line)?.[1];
    if (fence !== null) {
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = null;
      continue;
    }
    if (marker !== undefined) {
      fence = marker;
      continue;
    }
    const atx = line.length > MAX_HEADING_LINE ? null : ATX.exec(line);
    if (atx) {
      headings.push({ start: i, end: i + 1, level: atx[1]!.length, version: headingVersion(withoutClosingHashes(atx[2] ?? "")) });
      continue;
    }
    const underline = i + 1 < lines.length ? SETEXT_UNDERLINE.exec(lines[i + 1]!) : null;
    if (underline && !NOT_SETEXT_TEXT.test(line) && !/^ {4}/.test(line)) {
      headings.push({ start: i, end: i + 2, level: underline[1]![0] === "=" ? 1 : 2, version: headingVersion(line) });
      i++;
    }
  }
  return headings;
}

export function trimBlankLines(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start]!.trim() === "") start++;
  while (end > start && lines[end - 1]!.trim() === "") end--;
  return lines.slice(start, end);
}

/** At most `max` characters: cut at a line's end where one is near, a fence left open closed, then "…". */
export function bounded(text: string, max: number): { text: string; cut: boolean } {
  if (text.length <= max) return { text, cut: false };
  // Room for the ellipsis, and the closing fence if the cut leaves one open.
  for (let reserve = 2; reserve < max; ) {
    let end = max - reserve;
    const newline = text.lastIndexOf("\n", end);
    if (newline >= end * 0.8) end = newline;
    if (end > 0 && /[\uD800-\uDBFF]/.test(text[end - 1]!)) end--;
    let out = text.slice(0, end).trimEnd();
    const open = openFence(out);
    if (open !== null) out += `\n${open}`;
    out += open !== null || end === newline ? "\n…" : "…";
    if (out.length <= max) return { text: out, cut: true };
    reserve += out.length - max;
  }
  return { text: "…", cut: true };
}

function openFence(text: string): string | null {
  let fence: string | null = null;
  for (const line of text.split("\n")) {
    const marker = FENCE.exec(line)?.[1];
    if (marker === undefined) continue;
    if (fence === null) fence = marker;
    else if (marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = null;
  }
  return fence;
}
