import { boundedText } from "../core/bounded-text.ts";
import {
  MAX_TEST_FILE,
  MAX_TEST_MESSAGE,
  MAX_TEST_NAME,
  type ParseOptions,
  type TestOutcome,
  type TestReport,
  type TestReportFormat,
  type TestStatus,
} from "./test-outcome.ts";

/** A test as a parser read it, before names are normalized and ids made. */
export interface RawOutcome {
  /** The describe blocks (or classname) and the test's own name, outermost first. */
  path: string[];
  file: string | null;
  status: TestStatus;
  /** Milliseconds as the report wrote them (fractions allowed); null when it wrote none. */
  durationMs: number | null;
  message: string | null;
}

/** The shared end of both parsers: normalized names and files, stable ids (unique in the report), totals. */
export function buildReport(format: TestReportFormat, raw: RawOutcome[], truncated: boolean, options: ParseOptions = {}): TestReport {
  const root = options.root?.replace(/\/+$/, "");
  const seen = new Map<string, number>();
  const totals = { passed: 0, failed: 0, skipped: 0, errored: 0 };
  const tests = raw.map((r): TestOutcome => {
    const file = normalizeFile(r.file, root);
    const name = boundedText(r.path.map((p) => relativeTo(normalizePart(p), root)).filter((p) => p !== "").join(" > "), MAX_TEST_NAME) || "(unnamed)";
    const base = file === null ? name : `${file} > ${name}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    totals[r.status]++;
    return {
      // The same name twice in one report (node's runner does not say which file a test is in) stays two outcomes.
      id: n === 1 ? base : `${base} (${n})`,
      file,
      name,
      status: r.status,
      durationMs: r.durationMs !== null && Number.isFinite(r.durationMs) && r.durationMs >= 0 ? Math.round(r.durationMs) : null,
      message: r.status === "failed" || r.status === "errored" ? normalizeMessage(r.message) : null,
    };
  });
  return { format, tests, totals, truncated, suiteFailures: 0 };
}

/** Unicode NFC, whitespace runs as one space, trimmed: how every name part is compared and kept. */
export function normalizePart(part: string): string {
  return part.normalize("NFC").replace(/\s+/g, " ").trim();
}

function relativeTo(path: string, root: string | undefined): string {
  return root !== undefined && root !== "" && path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
}

function normalizeFile(file: string | null, root: string | undefined): string | null {
  if (file === null) return null;
  let path = file.normalize("NFC").trim().replace(/\\/g, "/").replace(/^file:\/\//, "");
  path = relativeTo(path, root).replace(/^(?:\.\/)+/, "");
  return path === "" ? null : boundedText(path, MAX_TEST_FILE);
}

function normalizeMessage(message: string | null): string | null {
  if (message === null) return null;
  const text = message.replace(/\r\n?/g, "\n").trim();
  return text === "" ? null : boundedText(text, MAX_TEST_MESSAGE);
}

/** A failure's text up to its stack (the message is what tells one failure from another; stacks hold paths). */
export function withoutStack(body: string): string | null {
  const cut = body.search(/^[ \t]+(?:at |❯ )/m);
  const message = (cut === -1 ? body : body.slice(0, cut)).trim();
  return message === "" ? null : message;
}
