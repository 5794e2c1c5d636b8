import type { DiffFile } from "../diff-types.ts";
import type { Finding } from "../review-types.ts";
import { isManifest, keyLine, readManifest } from "./manifest.ts";
import { flattenPlain, weakenings } from "./test-config-keys.ts";
import { finding } from "./tests-finding.ts";

const TEST_SCRIPT = /^tests?(?:[:._-].+)?$/;
/** package.json keys the runners read their config from. */
const RUNNER_KEYS = ["jest", "ava", "mocha"];
/** Flags that filter out tests, pass without any, swallow failures or rewrite snapshots to match. */
const SILENCING = new Set([
  "--passWithNoTests", "--pass-with-no-tests", "--testPathIgnorePatterns", "--modulePathIgnorePatterns", "--testNamePattern", "-t", "--test-name-pattern",
  "--testPathPattern", "--testPathPatterns", "--exclude", "--ignore", "--grep", "-g", "--fgrep", "--grep-invert", "--invert", "--onlyChanged", "-o",
  "--changed", "--changedSince", "--lastCommit", "--findRelatedTests", "--only", "--allowOnly", "--allow-only", "--dangerouslyIgnoreUnhandledErrors",
  "--bail", "-u", "--updateSnapshot", "--update", "--update-snapshots",
]);
/** Flags whose removal lets focused or pending tests through. */
const SAFETY = new Set(["--forbid-only", "--forbid-pending"]);
const NOOP = /^(?:true|:|echo(?:\s.*)?|printf(?:\s.*)?)$/;
const SINK = /^(?:tee|cat|true|:)(?:\s|$)/;
const HINT = "keep the test command and its configuration running and failing as before; change them in a PR of their own, reviewed by a person";

type Scripts = Record<string, string>;

/** A package.json change to a test script (`test`, `test:*`) or the runners' keys (`jest`, `ava`, `mocha`) that can silence tests. */
export function testScriptFindings(file: DiffFile): Finding[] {
  if (!isManifest(file)) return [];
  const sides = readManifest(file);
  if (!sides.ok || !sides.new) return [];
  const before = scriptsOf(sides.old);
  const after = scriptsOf(sides.new);
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((n) => TEST_SCRIPT.test(n)).sort();
  const findings = names.flatMap((name) => scriptFinding(file, name, before, after));
  for (const key of RUNNER_KEYS) {
    const line = (leaf: string) => keyLine(file, leaf);
    for (const w of weakenings(flattenPlain(sides.old?.[key], key, line), flattenPlain(sides.new[key], key, line), () => true)) {
      findings.push(finding("test_config_weakened", "request_changes", file.path, w.line, `${w.what} ${w.key} in ${file.path}: the test run can skip tests or pass without them`, HINT));
    }
  }
  return findings;
}

function scriptFinding(file: DiffFile, name: string, before: Scripts, after: Scripts): Finding[] {
  const was = before[name];
  const now = after[name];
  if (was === now) return [];
  const line = keyLine(file, name);
  if (now === undefined) {
    return [finding("test_config_weakened", "request_changes", file.path, line, `removes the test script "${name}" from ${file.path}: whatever ran it no longer runs those tests`, HINT)];
  }
  if (alwaysPasses(now, after) && (was === undefined || !alwaysPasses(was, before))) {
    return [finding("test_config_weakened", "block", file.path, line, `the test script "${name}" in ${file.path} now passes whatever the tests do: ${JSON.stringify(now)}`, HINT)];
  }
  const added = [...flagsOf(now)].filter((f) => SILENCING.has(f) && !flagsOf(was ?? "").has(f));
  const dropped = [...flagsOf(was ?? "")].filter((f) => SAFETY.has(f) && !flagsOf(now).has(f));
  if (added.length + dropped.length === 0) return [];
  const what = [...added.map((f) => `adds ${f}`), ...dropped.map((f) => `drops ${f}`)].join(", ");
  return [finding("test_config_weakened", "request_changes", file.path, line, `the test script "${name}" in ${file.path} ${what}: fewer tests run or failures stop counting`, HINT)];
}

function scriptsOf(manifest: Record<string, unknown> | null): Scripts {
  const value = manifest?.scripts;
  if (value === null || typeof value !== "object" || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string"));
}

function flagsOf(script: string): Set<string> {
  return new Set(script.split(/\s+/).filter((t) => t.startsWith("-")).map((t) => t.replace(/=.*$/, "")));
}

/**
 * Whether the script exits 0 even when every real command in it fails: only no-ops (`true`, `echo`,
 * `exit 0`), a failure swallowed (`|| true`, `; exit 0`), or a pipe into `tee`. Scripts it runs with
 * `npm run x` (and the like) are followed a few levels.
 */
export function alwaysPasses(script: string, scripts: Scripts): boolean {
  return statusWhenFailing(script, scripts, 0) === 0;
}

function statusWhenFailing(script: string, scripts: Scripts, depth: number): number {
  // Grouping is ignored: `(a || true)` reads as `a || true`.
  const parts = script.replace(/[(){}]/g, " ").split(/(\|\||&&|;|\n)/);
  let code = 0;
  for (let i = 0; i < parts.length; i += 2) {
    const op = i === 0 ? ";" : parts[i - 1];
    const command = (parts[i] ?? "").trim().replace(/^(?:\w+=\S*\s+)+/, "");
    if (command === "" || (op === "&&" && code !== 0) || (op === "||" && code === 0)) continue;
    const exit = /^exit(?:\s+(\d+))?$/.exec(command);
    if (exit) return exit[1] === undefined ? code : Number(exit[1]);
    code = commandStatus(command, scripts, depth);
  }
  return code;
}

function commandStatus(command: string, scripts: Scripts, depth: number): number {
  const stages = command.split("|").map((s) => s.trim());
  if (stages.length > 1) return SINK.test(stages[stages.length - 1] ?? "") ? 0 : 1;
  if (NOOP.test(command)) return 0;
  const ref = scriptReference(command);
  const target = ref === null ? undefined : scripts[ref];
  if (target !== undefined && depth < 3) return statusWhenFailing(target, scripts, depth + 1);
  return 1;
}

/** The script `npm run x`, `npm test`, `yarn x`, `pnpm run x` or `bun run x` runs; null for any other command. */
function scriptReference(command: string): string | null {
  const m = /^(?:npm\s+(?:run(?:-script)?\s+(\S+)|(test|t)\b)|(?:yarn|pnpm)\s+(?:run\s+)?(\S+)|bun\s+run\s+(\S+))/.exec(command);
  return m ? (m[1] ?? m[3] ?? m[4] ?? "test") : null;
}
