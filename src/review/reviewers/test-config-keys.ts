/** Test-runner settings that can make tests not run or not fail, and how a change to each weakens the run. */

/** A value the reviewer cannot evaluate (a variable, a call): any change to it is taken as a weakening. */
export class Opaque {
  constructor(readonly text: string) {}
}

/** Every value a key path has in one config (several for arrays of objects such as `projects`), and a line. */
export interface FlatEntry {
  values: unknown[];
  line: number | null;
}
export type FlatConfig = Map<string, FlatEntry>;

type Direction = "adding" | "narrowing" | "enabling" | "disabling" | "any";

// Keys of vitest, jest, mocha (.mocharc spells them in kebab-case too), ava, Playwright, Cypress and bun's [test].
const KEYS: Record<string, Direction> = {
  exclude: "adding",
  testPathIgnorePatterns: "adding",
  modulePathIgnorePatterns: "adding",
  testIgnore: "adding",
  ignore: "adding",
  pathIgnorePatterns: "adding",
  grepInvert: "adding",
  excludeSpecPattern: "adding",
  include: "narrowing",
  testMatch: "narrowing",
  testRegex: "narrowing",
  roots: "narrowing",
  files: "narrowing",
  spec: "narrowing",
  specPattern: "narrowing",
  match: "narrowing",
  grep: "narrowing",
  fgrep: "narrowing",
  testNamePattern: "narrowing",
  projects: "narrowing",
  workspace: "narrowing",
  passWithNoTests: "enabling",
  allowOnly: "enabling",
  bail: "enabling",
  dangerouslyIgnoreUnhandledErrors: "enabling",
  onlyChanged: "enabling",
  invert: "enabling",
  forbidOnly: "disabling",
  "forbid-only": "disabling",
  "forbid-pending": "disabling",
  failWithoutAssertions: "disabling",
  root: "any",
  rootDir: "any",
  dir: "any",
  testDir: "any",
  setupFiles: "any",
  setupFilesAfterEnv: "any",
  globalSetup: "any",
  preload: "any",
  require: "any",
  testResultsProcessor: "any",
  testRunner: "any",
  runner: "any",
};

/** The setting names, for judging a config from its changed lines alone. */
export const KEY_NAMES = Object.keys(KEYS);

export interface Weakening {
  key: string;
  what: string;
  line: number | null;
}

/** Each in-scope setting whose change can silence tests, with what the change does. */
export function weakenings(before: FlatConfig, after: FlatConfig, inScope: (path: string) => boolean): Weakening[] {
  const out: Weakening[] = [];
  for (const path of new Set([...before.keys(), ...after.keys()])) {
    const leaf = path.slice(path.lastIndexOf(".") + 1);
    const direction = KEYS[leaf];
    if (!direction || !inScope(path)) continue;
    const was = before.get(path)?.values ?? [];
    const now = after.get(path)?.values ?? [];
    const what = judge(direction, was, now);
    if (what) out.push({ key: path, what, line: after.get(path)?.line ?? null });
  }
  return out;
}

function judge(direction: Direction, was: unknown[], now: unknown[]): string | null {
  if (canonical(was) === canonical(now)) return null;
  if ([...was, ...now].some((v) => v instanceof Opaque)) return "changes";
  switch (direction) {
    case "adding": {
      const added = minus(entries(now), entries(was));
      return added.length > 0 ? `adds ${added.join(", ")} to` : null;
    }
    case "narrowing": {
      if (now.length === 0) return null;
      if (was.length === 0) return "sets (narrowing the default)";
      const removed = minus(entries(was), entries(now));
      return removed.length > 0 ? `removes ${removed.join(", ")} from` : null;
    }
    case "enabling":
      return now.some(Boolean) && !was.some(Boolean) ? "turns on" : null;
    case "disabling":
      return now.some((v) => v === false) || (was.some(Boolean) && !now.some(Boolean)) ? "turns off" : null;
    case "any":
      return "changes";
  }
}

/** The plain entries of the values; objects (a project's settings) are judged key by key instead. */
function entries(values: unknown[]): string[] {
  return values.flatMap((v) => (Array.isArray(v) ? v : [v])).filter((v) => !isRecord(v)).map(canonical);
}

function minus(a: string[], b: string[]): string[] {
  const rest = new Set(b);
  return [...new Set(a.filter((x) => !rest.has(x)))];
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Opaque) return { opaque: v.text };
    if (v === undefined) return "(undefined)";
    if (v !== null && typeof v === "object" && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)));
    return v;
  });
}

/** Every key path of plain data (JSON, TOML, YAML) under `prefix`; arrays of objects add their objects' keys under the same path. */
export function flattenPlain(value: unknown, prefix: string, lineOf: (key: string) => number | null, out: FlatConfig = new Map()): FlatConfig {
  if (!isRecord(value)) return out;
  for (const [key, v] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    addValue(out, path, v, lineOf(key));
    for (const inner of Array.isArray(v) ? v : [v]) flattenPlain(inner, path, lineOf, out);
  }
  return out;
}

export function addValue(out: FlatConfig, path: string, value: unknown, line: number | null): void {
  const entry = out.get(path);
  if (entry) entry.values.push(value);
  else out.set(path, { values: [value], line });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof Opaque);
}
