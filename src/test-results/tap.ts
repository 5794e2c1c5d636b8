import { parse as parseYaml } from "yaml";
import { buildReport, withoutStack, type RawOutcome } from "./build-report.ts";
import { nodeFailureStatus } from "./node-failure-type.ts";
import { MAX_REPORT_CHARS, reportError } from "./report-error.ts";
import { classifyTapLine, type TapPointLine } from "./tap-line.ts";
import type { ParseOptions, TestReport } from "./test-outcome.ts";

interface Point extends TapPointLine {
  indent: number;
  yaml: Record<string, unknown> | null;
  /** Indented lines after a failed test that are not YAML (mocha's tap reporter writes its error so). */
  diagnostics: string[];
  children: Point[];
  /** Stands for a parent test whose own line never came (the stream was cut inside its subtests). */
  missing?: true;
}

interface Level {
  indent: number;
  points: Point[];
}

/**
 * A TAP 13/14 stream (node's runner, node-tap, mocha, tape...): test lines, indented subtests, SKIP
 * and TODO, YAML diagnostics (node's `duration_ms`, `error`, `failureType`), `Bail out!`. A test with
 * subtests is a group, not an outcome of its own, unless it failed while none of its subtests did.
 *
 * A stream is read line by line and every test line is final when written, so one cut short (no
 * closing plan, fewer tests than planned, a YAML block never closed, subtests whose parent never
 * came), bailed out or over the size limit is a report with `truncated: true` and the tests read so
 * far. Only text with no TAP in it is an error.
 */
export function parseTap(text: string, options: ParseOptions = {}): TestReport {
  if (text.trim() === "") throw reportError("tap", "empty", "the TAP report is empty");
  const oversized = text.length > MAX_REPORT_CHARS;
  const body = oversized ? text.slice(0, text.lastIndexOf("\n", MAX_REPORT_CHARS) + 1) : text;
  const lines = body.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  if (body.endsWith("\n")) lines.pop();
  let read = readLines(lines);
  // A last line without its line break may be cut in the middle of a test's name: not kept when the stream is incomplete.
  if (read.truncated && !body.endsWith("\n")) read = readLines(lines.slice(0, -1));
  if (!read.sawTap) throw reportError("tap", "not_a_report", "the text is not a TAP report: no TAP version, plan or test line in it");
  return buildReport("tap", outcomes(read.points, []), read.truncated || oversized, options);
}

function readLines(lines: string[]): { points: Point[]; truncated: boolean; sawTap: boolean } {
  const levels: Level[] = [];
  const announced = new Map<number, string>();
  const plans = new Map<number, number>();
  let sawTap = false;
  let last: Point | null = null;
  let justAfterPoint = false;
  let yaml: { indent: number; lines: string[] } | null = null;
  let incomplete = false;
  let bailed = false;

  for (const line of lines) {
    const indent = line.length - line.trimStart().length;
    if (yaml !== null) {
      if (line.trim() === "..." && indent === yaml.indent) {
        last!.yaml = readYaml(yaml.lines, yaml.indent);
        yaml = null;
      } else yaml.lines.push(line);
      continue;
    }
    if (last !== null && justAfterPoint && line.trim() === "---" && indent > last.indent) {
      yaml = { indent, lines: [] };
      justAfterPoint = false;
      continue;
    }
    const tap = classifyTapLine(line);
    justAfterPoint = tap.kind === "point";
    if (tap.kind === "other") {
      if (last !== null && !last.ok && last.yaml === null && (tap.indent > last.indent || line.trim() === "")) last.diagnostics.push(line);
      continue;
    }
    if (tap.kind === "comment") continue;
    // The outermost level is where the stream starts (its version line, or node's first "# Subtest:"),
    // so subtests cut off before their parent's line still know they are nested.
    if (levels.length === 0) levels.push({ indent: tap.indent, points: [] });
    if (tap.kind === "subtest") {
      announced.set(tap.indent, tap.name);
      continue;
    }
    sawTap = true;
    if (tap.kind === "bail") {
      bailed = true;
      break;
    }
    if (tap.kind === "plan") plans.set(tap.indent, tap.count);
    if (tap.kind !== "point") continue;

    // Subtests come before their parent's line, indented deeper: the parent takes the level it closes.
    let carried: Point[] | null = null;
    while (levels.length > 0 && levels.at(-1)!.indent > tap.indent) {
      const level = levels.pop()!;
      if (carried !== null) {
        level.points.push(missingParent(announced.get(level.indent), level.indent, carried));
        incomplete = true;
      }
      carried = level.points;
    }
    if (levels.length === 0 || levels.at(-1)!.indent < tap.indent) levels.push({ indent: tap.indent, points: [] });
    const point: Point = { ...tap.point, indent: tap.indent, yaml: null, diagnostics: [], children: carried ?? [] };
    levels.at(-1)!.points.push(point);
    last = point;
  }

  if (yaml !== null) {
    // Cut inside a test's diagnostics: what they said so far (its duration, maybe why it failed).
    last!.yaml = readYaml(yaml.lines, yaml.indent);
    incomplete = true;
  }
  let carried: Point[] | null = null;
  while (levels.length > 1) {
    const level = levels.pop()!;
    if (carried !== null) level.points.push(missingParent(announced.get(level.indent), level.indent, carried));
    carried = level.points;
    incomplete = true;
  }
  const top = levels[0] ?? { indent: 0, points: [] };
  if (carried !== null) top.points.push(missingParent(announced.get(top.indent), top.indent, carried));
  const plan = plans.get(top.indent);
  const planMissed = plan === undefined || plan !== top.points.filter((p) => !p.missing).length;
  return { points: top.points, truncated: incomplete || bailed || planMissed, sawTap };
}

function missingParent(name: string | undefined, indent: number, children: Point[]): Point {
  return { ok: true, name: name ?? "", directive: null, timeMs: null, indent, yaml: null, diagnostics: [], children, missing: true };
}

function readYaml(lines: string[], indent: number): Record<string, unknown> | null {
  try {
    const doc: unknown = parseYaml(lines.map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length))).join("\n"), {
      schema: "core",
      maxAliasCount: 10,
      uniqueKeys: false,
      logLevel: "silent",
    });
    return doc !== null && typeof doc === "object" && !Array.isArray(doc) ? (doc as Record<string, unknown>) : null;
  } catch {
    return null; // diagnostics are extras: a test line stands without them
  }
}

function outcomes(points: Point[], path: string[]): RawOutcome[] {
  const raw: RawOutcome[] = [];
  for (const p of points) {
    if (p.children.length === 0) {
      raw.push(outcome(p, path));
      continue;
    }
    const inner = outcomes(p.children, [...path, p.name]);
    raw.push(...inner);
    // A group that failed with every subtest passing failed for itself (its hook, its own code).
    if (!p.ok && p.directive === null && !inner.some((o) => o.status === "failed" || o.status === "errored")) raw.push(outcome(p, path));
  }
  return raw;
}

function outcome(p: Point, path: string[]): RawOutcome {
  const y = p.yaml ?? {};
  const status = p.directive !== null ? "skipped" : p.ok ? "passed" : nodeFailureStatus(y.failureType);
  const duration = typeof y.duration_ms === "number" ? y.duration_ms : p.timeMs;
  return { path: [...path, p.name], file: null, status, durationMs: duration, message: p.ok ? null : yamlMessage(y) ?? diagnosticMessage(p) };
}

function yamlMessage(y: Record<string, unknown>): string | null {
  for (const value of [y.message, y.error]) {
    if (typeof value === "string" && value.trim() !== "") return value;
    if (value !== null && typeof value === "object" && typeof (value as { message?: unknown }).message === "string") return (value as { message: string }).message;
  }
  return null;
}

function diagnosticMessage(p: Point): string | null {
  if (p.diagnostics.length === 0) return null;
  const indent = Math.min(...p.diagnostics.filter((l) => l.trim() !== "").map((l) => l.length - l.trimStart().length));
  return withoutStack(p.diagnostics.map((l) => l.slice(Math.min(indent, l.length))).join("\n"));
}
