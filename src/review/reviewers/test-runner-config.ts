import { posix } from "node:path";
import { parse as parseToml } from "smol-toml";
import type * as TS from "typescript";
import { parse as parseYaml } from "yaml";
import { addedLines, removedLines, type DiffFile } from "../diff-types.ts";
import type { Finding } from "../review-types.ts";
import { addValue, flattenPlain, KEY_NAMES, Opaque, weakenings, type FlatConfig } from "./test-config-keys.ts";
import { constantOf, lineOf, parseSource, propertyName, textOf, type Ts } from "./test-ts.ts";
import { finding, unreadNote } from "./tests-finding.ts";

type Format = "js" | "json" | "jsonc" | "yaml" | "toml";
interface ConfigKind {
  format: Format;
  /** Which key paths are test settings: vite's `optimizeDeps.exclude` is not, its `test.exclude` is. */
  inScope: (path: string) => boolean;
}

const ANY = () => true;
const UNDER_TEST = (path: string) => path.split(".").includes("test");
const TEST_TABLE = (path: string) => path.startsWith("test.");
const KINDS: Array<[RegExp, ConfigKind]> = [
  [/^(?:vitest\.config|vite\.config|vitest\.workspace)\.[cm]?[jt]s$/, { format: "js", inScope: UNDER_TEST }],
  [/^(?:jest|playwright|cypress|ava)\.config\.[cm]?[jt]s$/, { format: "js", inScope: ANY }],
  [/^(?:karma\.conf|\.mocharc)\.[cm]?[jt]s$/, { format: "js", inScope: ANY }],
  [/^(?:jest\.config|\.mocharc)\.json$/, { format: "json", inScope: ANY }],
  [/^\.mocharc\.jsonc$/, { format: "jsonc", inScope: ANY }],
  [/^\.mocharc\.ya?ml$/, { format: "yaml", inScope: ANY }],
  [/^bunfig\.toml$/, { format: "toml", inScope: TEST_TABLE }],
];
const KEY_PATTERN = new RegExp(`(?<![\\w-])(${KEY_NAMES.join("|")})(?![\\w-])`);
const HINT = "keep the test run covering and failing as before; change the runner's configuration in a PR of its own, reviewed by a person";

export function runnerConfigKind(path: string | null): ConfigKind | null {
  if (path === null) return null;
  const name = posix.basename(path);
  return KINDS.find(([pattern]) => pattern.test(name))?.[1] ?? null;
}

export function isRunnerConfig(file: DiffFile): boolean {
  return runnerConfigKind(file.path) !== null || runnerConfigKind(file.oldPath) !== null;
}

/** Whether reading this config needs the TS parser (JS/TS configs and JSONC, when their contents are loaded). */
export function configNeedsParser(file: DiffFile): boolean {
  const kind = runnerConfigKind(file.path);
  return kind !== null && (kind.format === "js" || kind.format === "jsonc") && file.contents !== undefined && file.status !== "deleted";
}

/** Settings of a test-runner config (vitest, vite's `test`, jest, mocha, ava, Playwright, Cypress, karma, bunfig's [test]) changed so tests can be silenced. */
export function runnerConfigFindings(file: DiffFile, ts: Ts | null): Finding[] {
  const kind = runnerConfigKind(file.path);
  if (!isRunnerConfig(file)) return [];
  if (!kind || file.status === "deleted") {
    const gone = file.oldPath ?? file.path;
    return [finding("test_config_weakened", "request_changes", file.path, null, `removes the test-runner config ${gone}: the files and settings it gave the test run no longer apply`, HINT)];
  }
  if (!file.contents) return lineFallback(file, "its contents were not loaded with the diff");
  const before = readConfig(kind.format, file.contents.old, file.oldPath ?? file.path, ts, () => null);
  const after = readConfig(kind.format, file.contents.new, file.path, ts, (key) => headKeyLine(file, key));
  if (!before.ok) return lineFallback(file, `the base version does not parse: ${before.reason}`);
  if (!after.ok) return lineFallback(file, `it does not parse: ${after.reason}`);
  return weakenings(before.flat, after.flat, kind.inScope).map((w) =>
    finding("test_config_weakened", "request_changes", file.path, w.line, `${w.what} ${w.key} in ${file.path}: the test run can skip tests or pass without them`, HINT),
  );
}

type Read = { ok: true; flat: FlatConfig } | { ok: false; reason: string };

function readConfig(format: Format, text: string | null, path: string, ts: Ts | null, lineOfKey: (key: string) => number | null): Read {
  if (text === null) return { ok: true, flat: new Map() };
  try {
    if (format === "js") {
      if (!ts) return { ok: false, reason: "the TypeScript parser was not loaded" };
      const parsed = parseSource(ts, path, text);
      return parsed.ok ? { ok: true, flat: flattenSource(ts, parsed.source) } : parsed;
    }
    return { ok: true, flat: flattenPlain(plainData(format, text, path, ts), "", lineOfKey) };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

function plainData(format: Exclude<Format, "js">, text: string, path: string, ts: Ts | null): unknown {
  if (format === "json") return JSON.parse(text);
  if (format === "yaml") return parseYaml(text);
  if (format === "toml") return parseToml(text);
  if (!ts) throw new Error("the TypeScript parser was not loaded");
  const { config, error } = ts.parseConfigFileTextToJson(path, text);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, " "));
  return config;
}

/** Key paths of every object literal of a JS/TS config (`export default defineConfig({ test: { exclude } })` gives `test.exclude`). */
function flattenSource(ts: Ts, source: TS.SourceFile): FlatConfig {
  const out: FlatConfig = new Map();
  const visit = (node: TS.Node): void => {
    if (ts.isObjectLiteralExpression(node)) return flattenObject(ts, node, "", out);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

function flattenObject(ts: Ts, object: TS.ObjectLiteralExpression, prefix: string, out: FlatConfig): void {
  const join = (name: string) => (prefix ? `${prefix}.${name}` : name);
  for (const p of object.properties) {
    if (ts.isShorthandPropertyAssignment(p)) {
      addValue(out, join(p.name.text), new Opaque(p.name.text), lineOf(p));
      continue;
    }
    const name = ts.isPropertyAssignment(p) ? propertyName(ts, p.name) : null;
    if (!ts.isPropertyAssignment(p) || name === null) continue;
    const constant = constantOf(ts, p.initializer);
    addValue(out, join(name), constant ? constant.value : new Opaque(textOf(p.initializer)), lineOf(p));
    nestedObjects(ts, p.initializer).forEach((inner) => flattenObject(ts, inner, join(name), out));
  }
}

/** Object literals a value holds directly: itself, array elements (`projects: [{...}]`), call arguments (`defineProject({...})`). */
function nestedObjects(ts: Ts, value: TS.Expression): TS.ObjectLiteralExpression[] {
  if (ts.isObjectLiteralExpression(value)) return [value];
  const items: readonly TS.Expression[] = ts.isArrayLiteralExpression(value) ? value.elements : ts.isCallExpression(value) ? value.arguments : [];
  return items.filter((e): e is TS.ObjectLiteralExpression => ts.isObjectLiteralExpression(e));
}

/** The head line naming `key`: an added line first, else any line of the new text. */
function headKeyLine(file: DiffFile, key: string): number | null {
  const pattern = new RegExp(`(?<![\\w-])${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w-])`);
  const added = addedLines(file).find((l) => pattern.test(l.text));
  if (added) return added.line;
  const index = (file.contents?.new ?? "").split("\n").findIndex((text) => pattern.test(text));
  return index === -1 ? null : index + 1;
}

/** Without a readable config, a changed line naming a setting that can silence tests is the finding. */
function lineFallback(file: DiffFile, why: string): Finding[] {
  const hits = [...addedLines(file), ...removedLines(file)].filter((l) => KEY_PATTERN.test(l.text));
  const keys = [...new Set(hits.map((l) => KEY_PATTERN.exec(l.text)?.[1]))].filter(Boolean);
  const note = unreadNote(file, why);
  if (keys.length === 0) return [note];
  const line = addedLines(file).find((l) => KEY_PATTERN.test(l.text))?.line ?? null;
  return [finding("test_config_weakened", "request_changes", file.path, line, `changes ${keys.join(", ")} in the test-runner config ${file.path}: the test run can skip tests or pass without them`, HINT), note];
}
