import { buildReport, normalizePart, withoutStack, type RawOutcome } from "./build-report.ts";
import { nodeFailureStatus } from "./node-failure-type.ts";
import { MAX_REPORT_CHARS, reportError, sizeLabel } from "./report-error.ts";
import type { ParseOptions, TestReport, TestStatus } from "./test-outcome.ts";
import { readXml, type XmlElement } from "./xml-tree.ts";

/**
 * A JUnit XML report as the runners write it: `<testsuites>` or a lone `<testsuite>`, suites nested
 * for describe blocks (node, bun) or flat, one per file or describe block with the full name in the
 * test's (vitest, jest-junit, mocha), `<testcase>` with `<failure>`, `<error>` or `<skipped>`. A document that is not well-formed (a cut one included) is
 * a PushpalsError, never a partial report: its last test's verdict may be what is missing.
 */
export function parseJunit(xml: string, options: ParseOptions = {}): TestReport {
  if (xml.length > MAX_REPORT_CHARS) {
    throw reportError("junit", "too_large", `the JUnit report is ${sizeLabel(xml.length)}, over the ${sizeLabel(MAX_REPORT_CHARS)} limit`);
  }
  if (xml.trim() === "") throw reportError("junit", "empty", "the JUnit report is empty");
  const root = readXml(xml);
  if (root.name !== "testsuites" && root.name !== "testsuite") {
    throw reportError("junit", "not_a_report", `the XML is not a JUnit report: its root element is <${root.name}>, not <testsuites> or <testsuite>`);
  }
  const walk = new Walk(isNodeReport(root));
  if (root.name === "testsuite") walk.suite(root, { path: [], file: null }, true);
  else walk.children(root, { path: [], file: null }, true);
  return { ...buildReport("junit", walk.raw, false, options), suiteFailures: walk.suiteFailures };
}

interface Scope {
  path: string[];
  file: string | null;
}

class Walk {
  readonly raw: RawOutcome[] = [];
  /** `<error>` or `<failure>` elements of a suite itself, outside every test (a suite that failed to load, a hook). */
  suiteFailures = 0;
  constructor(private readonly node: boolean) {}

  children(el: XmlElement, scope: Scope, top: boolean): void {
    for (const child of elements(el)) {
      if (child.name === "testsuite") this.suite(child, scope, top);
      else if (child.name === "testcase") this.testcase(child, scope);
      else if (child.name === "error" || child.name === "failure") this.suiteFailures++;
    }
  }

  suite(el: XmlElement, parent: Scope, top: boolean): void {
    const name = this.attr(el, "name");
    const file = el.attrs.file ?? parent.file ?? (top && looksLikeFile(name) ? name : null);
    // A top-level suite is the file, class or run (bun, vitest, jest-junit, mocha, surefire), never a
    // describe block, except in node's report, which has no file level.
    const path = top && !this.node ? parent.path : [...parent.path, name];
    this.children(el, { path, file }, false);
  }

  testcase(el: XmlElement, scope: Scope): void {
    const name = this.attr(el, "name");
    const classname = el.attrs.classname ?? "";
    const file = el.attrs.file ?? scope.file ?? (looksLikeFile(classname) ? classname : null);
    const own = this.node || redundantClassname(classname, name, scope.path, file) ? [name] : [classname, name];
    const { status, message } = this.verdict(el);
    this.raw.push({ path: [...scope.path, ...own], file, status, durationMs: seconds(el.attrs.time), message });
  }

  private verdict(el: XmlElement): { status: TestStatus; message: string | null } {
    const kids = elements(el);
    if (kids.some((k) => k.name === "skipped")) return { status: "skipped", message: null };
    const error = kids.find((k) => k.name === "error");
    const failure = error ?? kids.find((k) => k.name === "failure");
    if (failure === undefined) return { status: "passed", message: null };
    const status = error !== undefined ? "errored" : this.node ? nodeFailureStatus(failure.attrs.type) : "failed";
    const body = text(failure);
    const message = this.node ? (nodeMessage(body) ?? this.attr(failure, "message")) : failure.attrs.message?.trim() || withoutStack(body);
    return { status, message };
  }

  /** Node's reporter escapes `"` as `&quot;` and then escapes that `&` again (node 20): one more pass for its attributes. */
  private attr(el: XmlElement, name: string): string {
    const value = el.attrs[name] ?? "";
    return this.node ? value.replaceAll("&quot;", '"') : value;
  }
}

function elements(el: XmlElement): XmlElement[] {
  return el.children.flatMap((c) => ("element" in c ? [c.element] : []));
}

function text(el: XmlElement): string {
  return el.children.map((c) => ("text" in c ? c.text : "")).join("");
}

/** Node's runner writes no attribute of its own on <testsuites>, but its summary as comments. */
function isNodeReport(root: XmlElement): boolean {
  return root.name === "testsuites" && root.children.some((c) => "comment" in c && /^\s*duration_ms\s/.test(c.comment));
}

function looksLikeFile(name: string): boolean {
  return /\.[cm]?[jt]sx?$/.test(name.trim());
}

/**
 * A classname that only repeats what the id has already (the name, the file, the describe path in
 * either order) is left out; one that says more (surefire's or pytest's class, mocha xunit's
 * describe path) is part of the name.
 */
function redundantClassname(classname: string, name: string, path: string[], file: string | null): boolean {
  const c = normalizePart(classname);
  const n = normalizePart(name);
  const p = path.map(normalizePart);
  return (
    c === "" ||
    c === n ||
    n.startsWith(`${c} `) ||
    n.endsWith(` ${c}`) ||
    looksLikeFile(c) ||
    (file !== null && c === normalizePart(file)) ||
    c === p.join(" > ") ||
    c === [...p].reverse().join(" > ") ||
    c === p.join(" ")
  );
}

function seconds(time: string | undefined): number | null {
  if (time === undefined) return null;
  const s = Number(time.replaceAll(",", ""));
  return Number.isFinite(s) && s >= 0 ? s * 1000 : null;
}

/** Node's failure body: `[Error [ERR_TEST_FAILURE]: <message>] { code: ... }` or the same ended by a stack. */
function nodeMessage(body: string): string | null {
  const m = /^\s*\[?Error(?: \[ERR_TEST_FAILURE\])?: ([\s\S]*?)(?:\] \{|\n\s+at |\s*\{\n\s+code:)/.exec(body);
  return m?.[1]?.trim() || null;
}
