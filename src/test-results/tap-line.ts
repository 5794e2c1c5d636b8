/** One line of a TAP stream, classified (TAP 13/14; anything else is `other`, which TAP says to ignore). */
export type TapLine =
  | { kind: "version"; indent: number }
  | { kind: "plan"; indent: number; count: number }
  | { kind: "point"; indent: number; point: TapPointLine }
  | { kind: "bail"; indent: number; reason: string }
  | { kind: "subtest"; indent: number; name: string }
  | { kind: "comment"; indent: number }
  | { kind: "other"; indent: number; text: string };

export interface TapPointLine {
  ok: boolean;
  name: string;
  directive: "skip" | "todo" | null;
  /** node-tap writes `# time=12.3ms` on a test line. */
  timeMs: number | null;
}

export function classifyTapLine(line: string): TapLine {
  const body = line.trimStart();
  const indent = line.length - body.length;
  if (/^TAP version \d+\s*$/.test(body)) return { kind: "version", indent };
  const plan = /^1\.\.(\d+)\s*(?:#.*)?$/.exec(body);
  if (plan) return { kind: "plan", indent, count: Number(plan[1]) };
  const point = /^(not )?ok\b(?:\s+\d+)?(?:\s+-)?(?:\s+(.*))?$/.exec(body);
  if (point) return { kind: "point", indent, point: { ok: point[1] === undefined, ...description(point[2] ?? "") } };
  const bail = /^Bail out!\s*(.*)$/.exec(body);
  if (bail) return { kind: "bail", indent, reason: bail[1]!.trim() };
  const subtest = /^# Subtest:\s?(.*)$/.exec(body);
  if (subtest) return { kind: "subtest", indent, name: unescape(subtest[1]!) };
  if (body.startsWith("#")) return { kind: "comment", indent };
  return { kind: "other", indent, text: body };
}

/** A test line's description up to its first unescaped `#`, then the directive (SKIP/TODO, time=). */
function description(text: string): Omit<TapPointLine, "ok"> {
  let end = 0;
  while (end < text.length && text[end] !== "#") end += text[end] === "\\" ? 2 : 1;
  const directive = text.slice(end + 1).trim();
  const kind = /^(skip|todo)/i.exec(directive)?.[1]?.toLowerCase() as "skip" | "todo" | undefined;
  const time = /\btime=(\d+(?:\.\d+)?)(ms|s)\b/.exec(directive);
  return {
    name: unescape(text.slice(0, Math.min(end, text.length)).trim()),
    directive: kind ?? null,
    timeMs: time ? Number(time[1]) * (time[2] === "s" ? 1000 : 1) : null,
  };
}

/** TAP escapes `#` and `\` in descriptions with a backslash. */
function unescape(text: string): string {
  return text.replace(/\\([\\#])/g, "$1");
}
