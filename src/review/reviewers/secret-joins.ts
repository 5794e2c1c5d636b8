import type { DiffLine } from "../diff-types.ts";
import type { SourceLine } from "./secret-scan.ts";

/**
 * Undoes the ways a secret is split so no single line holds it: adjacent string literals joined by
 * `+` (or `.`, `..`, `||`, or nothing, as in Python and C) on one line or across consecutive added
 * lines, `${"..."}` pieces inside a template, and backslash-newline continuations inside or outside
 * a string. Returns only the lines that changed, each joined line at the head line it starts on.
 * Arrays (`[a, b].join("")`) and variables are not evaluated.
 */
const LITERAL = /"(?:[^"\\\n]|\\[\s\S]){0,2000}"|'(?:[^'\\\n]|\\[\s\S]){0,2000}'|`(?:[^`\\]|\\[\s\S]){0,4000}`/g;
// What may stand between two literals of one chain.
const JOINER = /^[ \t]*(?:\\?\n[ \t]*)?(?:\+|\.{1,2}|\|\|)?[ \t]*(?:\\?\n[ \t]*)?$/;
// A cheap sign that a run may hold a chain: a closing quote, maybe an operator, an opening quote; or `${"`.
const MAYBE_CHAIN = /["'`][ \t]*(?:\+|\.{1,2}|\|\|)?\s*(?:\+[ \t]*)?["'`]|\$\{\s*["']/;
const CONTINUATION = "\\\n";
const LINE_BREAK = /\\\n[ \t]*|\n/g;
const INLINE_PIECE = /\$\{\s*(["'])((?:(?!\1)[^\\\n])*)\1\s*\}/g;

interface Span {
  start: number;
  end: number;
  joined: string;
}

export function joinedLines(lines: DiffLine[]): SourceLine[] {
  return consecutiveRuns(lines).flatMap(joinRun);
}

function consecutiveRuns(lines: DiffLine[]): DiffLine[][] {
  const runs: DiffLine[][] = [];
  for (const line of lines) {
    const run = runs.at(-1);
    const last = run?.at(-1);
    if (run && last && line.line === last.line + 1) run.push(line);
    else runs.push([line]);
  }
  return runs;
}

function joinRun(run: DiffLine[]): SourceLine[] {
  const text = run.map((l) => l.text).join("\n");
  const spans = MAYBE_CHAIN.test(text) || text.includes(CONTINUATION) ? chainSpans(text) : [];
  if (spans.length === 0 && !text.includes(CONTINUATION)) return [];
  return rebuild(run, text, spans);
}

/** Literal chains worth rejoining: two or more pieces, or one with a continuation or inline piece. */
function chainSpans(text: string): Span[] {
  const spans: Span[] = [];
  let chain: RegExpExecArray[] = [];
  const flush = () => {
    const [first, last] = [chain[0], chain.at(-1)];
    if (first && last && worthJoining(chain)) {
      spans.push({ start: first.index, end: last.index + last[0].length, joined: `"${chain.map((t) => literalBody(t[0])).join("")}"` });
    }
    chain = [];
  };
  for (const token of text.matchAll(LITERAL) as IterableIterator<RegExpExecArray>) {
    const prev = chain.at(-1);
    if (prev && !JOINER.test(text.slice(prev.index + prev[0].length, token.index))) flush();
    chain.push(token);
  }
  flush();
  return spans;
}

function worthJoining(chain: RegExpExecArray[]): boolean {
  // Empty pieces join nothing: a Markdown fence (```js) is an empty literal next to a long one.
  const pieces = chain.filter((t) => t[0].length > 2);
  if (pieces.length > 1) return true;
  return pieces.length === 1 && /\\\n|\$\{\s*["']/.test(pieces[0]?.[0] ?? "");
}

/** A piece's text; a template's own line breaks become `\n` escapes so a joined line stays one line. */
function literalBody(literal: string): string {
  const inner = literal.slice(1, -1).replace(/\\\n[ \t]*/g, "");
  if (!literal.startsWith("`")) return inner;
  return inner.replace(INLINE_PIECE, "$2").replace(/\$\{[^}]*\}/g, " ").replace(/\r?\n/g, "\\n");
}

/** The run's text with spans collapsed and continuations removed, as lines tagged with their head line. */
function rebuild(run: DiffLine[], text: string, spans: Span[]): SourceLine[] {
  const out: SourceLine[] = [];
  const changed = new Set<SourceLine>();
  let row = 0;
  let current: SourceLine = { line: run[0]?.line ?? 1, text: "", via: "joined" };
  const copy = (segment: string) => {
    let from = 0;
    for (const m of segment.matchAll(LINE_BREAK)) {
      current.text += segment.slice(from, m.index);
      from = (m.index ?? 0) + m[0].length;
      if (m[0] !== "\n") {
        row++;
        changed.add(current);
        continue;
      }
      current.lastLine = run[row]?.line;
      row++;
      out.push(current);
      current = { line: run[row]?.line ?? current.line, text: "", via: "joined" };
    }
    current.text += segment.slice(from);
  };
  let cursor = 0;
  for (const span of spans) {
    copy(text.slice(cursor, span.start));
    current.text += span.joined;
    row += countNewlines(text.slice(span.start, span.end));
    changed.add(current);
    cursor = span.end;
  }
  copy(text.slice(cursor));
  current.lastLine = run[row]?.line;
  out.push(current);
  return out.filter((l) => changed.has(l));
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) n++;
  return n;
}
