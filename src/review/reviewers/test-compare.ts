import type { DiffFile } from "../diff-types.ts";
import type { Finding } from "../review-types.ts";
import { effectiveFlags, type Assertions, type TestEntry, type TestFileSummary } from "./test-ast.ts";
import type { Flag, Flags } from "./test-calls.ts";
import { finding, headLineOf } from "./tests-finding.ts";

/** One test file of the change with both sides parsed (null: absent on that side). */
export interface SummarizedFile {
  file: DiffFile;
  base: TestFileSummary | null;
  head: TestFileSummary | null;
}

interface Pair {
  base: TestEntry;
  head: TestEntry;
  at: SummarizedFile;
}

const DESCRIBE: Record<Flag, string> = {
  skipped: "skipped",
  focused: "focused, so every other test stops running",
  todo: "marked todo",
  conditional: "skipped under a condition",
  failing: "expected to fail, so it passes when the code is broken",
  early_exit: "returning before its assertions",
};

/**
 * Base against head, per test matched by full name (a test moved to another changed file is the same
 * test): tests removed without a replacement, tests newly skipped, focused, todo, conditional or
 * exiting early, and tests whose assertions are gone, trivial or weaker.
 */
export function compareTests(files: readonly SummarizedFile[]): Finding[] {
  const { pairs, gone, fresh } = matchTests(files);
  const newlyFlagged = suiteFlags(files);
  const findings: Finding[] = [];
  for (const f of files) {
    findings.push(...suiteFindings(f, newlyFlagged), ...removedFindings(f, gone.get(f) ?? []));
  }
  for (const p of pairs) findings.push(...pairFindings(p, newlyFlagged));
  for (const f of files) for (const t of fresh.get(f) ?? []) findings.push(...flagFindings(f, t, newFlags(t.own, new Map(), t, newlyFlagged), true));
  return findings;
}

function matchTests(files: readonly SummarizedFile[]) {
  const pairs: Pair[] = [];
  const gone = new Map<SummarizedFile, TestEntry[]>();
  const fresh = new Map<SummarizedFile, TestEntry[]>();
  for (const f of files) {
    gone.set(f, [...(f.base?.tests ?? [])]);
    fresh.set(f, [...(f.head?.tests ?? [])]);
    pairs.push(...takeMatches(gone.get(f)!, fresh.get(f)!, f, (t) => t.fullName));
  }
  // Moved between files: by full name, then by the test's own title (it may sit under another describe there).
  for (const key of [(t: TestEntry) => t.fullName, (t: TestEntry) => t.name]) {
    for (const from of files) for (const to of files) if (from !== to) pairs.push(...takeMatches(gone.get(from)!, fresh.get(to)!, to, key));
  }
  // What is left in one file was renamed there: paired in order.
  for (const f of files) {
    const left = gone.get(f)!;
    const added = fresh.get(f)!;
    const n = Math.min(left.length, added.length);
    for (let i = 0; i < n; i++) pairs.push({ base: left[i]!, head: added[i]!, at: f });
    gone.set(f, left.slice(n));
    fresh.set(f, added.slice(n));
  }
  return { pairs, gone, fresh };
}

/** Pairs equal keys one for one, removing them from both lists. */
function takeMatches(bases: TestEntry[], heads: TestEntry[], at: SummarizedFile, key: (t: TestEntry) => string): Pair[] {
  const pairs: Pair[] = [];
  for (let i = 0; i < bases.length; ) {
    const j = heads.findIndex((h) => key(h) === key(bases[i]!));
    if (j === -1) {
      i++;
      continue;
    }
    pairs.push({ base: bases[i]!, head: heads[j]!, at });
    bases.splice(i, 1);
    heads.splice(j, 1);
  }
  return pairs;
}

/** Suites (and files) whose own flags are new: their tests' inherited flags are reported once, on them. */
function suiteFlags(files: readonly SummarizedFile[]): Map<TestEntry, Flags> {
  const out = new Map<TestEntry, Flags>();
  const allBase = files.flatMap((f) => f.base?.suites ?? []);
  for (const f of files) {
    if (!f.head) continue;
    const fileFlags = newFlags(f.head.file.own, f.base?.file.own ?? new Map(), f.head.file, out);
    if (fileFlags.size > 0) out.set(f.head.file, fileFlags);
    const base = f.base?.suites ?? [];
    // Outer suites come first, so an inner one's flags are checked against theirs.
    for (const s of f.head.suites) {
      const before = base.find((b) => b.fullName === s.fullName) ?? allBase.find((b) => b.fullName === s.fullName);
      const flags = newFlags(s.own, before ? effectiveFlags(before) : new Map(), s, out);
      if (flags.size > 0) out.set(s, flags);
    }
  }
  return out;
}

/** Flags in `now` that `before` lacked and that no newly flagged suite around `entry` explains. */
function newFlags(now: Flags, before: Flags, entry: TestEntry, flagged: Map<TestEntry, Flags>): Flags {
  const out: Flags = new Map();
  for (const [flag, how] of now) {
    if (before.has(flag)) continue;
    let explained = false;
    for (let p = entry.parent; p && !explained; p = p.parent) explained = flagged.get(p)?.has(flag) ?? false;
    if (!explained) out.set(flag, how);
  }
  return out;
}

function suiteFindings(f: SummarizedFile, flagged: Map<TestEntry, Flags>): Finding[] {
  if (!f.head) return [];
  const findings: Finding[] = [];
  for (const entry of [f.head.file, ...f.head.suites]) {
    const flags = flagged.get(entry);
    if (!flags) continue;
    const count = f.head.tests.filter((t) => within(t, entry)).length;
    const what = entry.kind === "file" ? `every test in ${f.file.path} (${count})` : `the suite "${entry.fullName}" (${count} test${count === 1 ? "" : "s"}) in ${f.file.path}`;
    findings.push(disabledFinding(f, entry, flags, `${what} is now`));
  }
  return findings;
}

function within(t: TestEntry, ancestor: TestEntry): boolean {
  for (let p = t.parent; p; p = p.parent) if (p === ancestor) return true;
  return false;
}

function removedFindings(f: SummarizedFile, removed: TestEntry[]): Finding[] {
  const first = removed[0];
  if (!first || !f.head) return [];
  const names = removed.map((t) => `"${t.fullName}"`).join(", ");
  return [
    finding(
      "tests_removed",
      "request_changes",
      f.file.path,
      headLineOf(f.file, first.line),
      `removes ${removed.length} test${removed.length === 1 ? "" : "s"} from ${f.file.path} with no replacement: ${names}`,
      "keep the tests, or explain in the PR why the behaviour they checked is gone",
    ),
  ];
}

function pairFindings(p: Pair, flagged: Map<TestEntry, Flags>): Finding[] {
  const flags = newFlags(effectiveFlags(p.head), effectiveFlags(p.base), p.head, flagged);
  if (flags.size > 0) return flagFindings(p.at, p.head, flags, false);
  if (!p.base.assertions || !p.head.assertions) return [];
  const change = assertionChange(p.base.assertions, p.head.assertions);
  if (!change) return [];
  return [finding(change.rule, "request_changes", p.at.file.path, p.head.line, `the test "${p.head.fullName}" in ${p.at.file.path} ${change.what}`, "keep checking what the test checked, with assertions on the code's results")];
}

function flagFindings(f: SummarizedFile, t: TestEntry, flags: Flags, added: boolean): Finding[] {
  if (flags.size === 0) return [];
  return [disabledFinding(f, t, flags, added ? `adds the test "${t.fullName}" in ${f.file.path}, which is` : `the test "${t.fullName}" in ${f.file.path} is now`)];
}

function disabledFinding(f: SummarizedFile, entry: TestEntry, flags: Flags, lead: string): Finding {
  const what = [...flags].map(([flag, how]) => `${DESCRIBE[flag]} (${how})`).join(", ");
  const onlyTodo = [...flags.keys()].every((flag) => flag === "todo");
  if (onlyTodo) return finding("test_todo", "request_changes", f.file.path, entry.line, `${lead} ${what}`, "write the test, or leave it out of the change");
  return finding("test_disabled", "block", f.file.path, entry.line, `${lead} ${what}`, "run every test: remove the skip, focus, condition or early return");
}

const meaningful = (a: Assertions) => a.strong + a.weak;

function assertionChange(base: Assertions, head: Assertions): { rule: string; what: string } | null {
  const had = meaningful(base);
  if (had === 0) return null;
  const plural = (n: number) => `${n} assertion${n === 1 ? "" : "s"}`;
  if (head.strong + head.weak + head.trivial === 0) return { rule: "assertions_removed", what: `no longer asserts anything (it had ${plural(had)})` };
  if (meaningful(head) === 0) return { rule: "assertions_trivial", what: `now asserts only constants or tautologies (such as expect(true).toBe(true)) instead of ${plural(had)} on results` };
  if (base.strong > 0 && head.strong === 0) return { rule: "assertions_weakened", what: "now asserts only that values exist or are truthy (toBeDefined, toBeTruthy...) instead of what they are" };
  if (meaningful(head) < had) return { rule: "assertions_removed", what: `has ${plural(meaningful(head))} instead of ${had}` };
  return null;
}
