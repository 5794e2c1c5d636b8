import { describe, expect, test } from "bun:test";
import { addEntries, removeEntries } from "../../test-quarantine/edit-quarantine.ts";
import { QUARANTINE_FILE, type QuarantineEntry } from "../../test-quarantine/quarantine-entry.ts";
import { entry } from "../../test-quarantine/quarantine-fixture.ts";
import type { QuarantineFacts } from "../quarantine-facts.ts";
import { parseDiff } from "../parse-diff.ts";
import { reviewContentsFor } from "../review-contents.ts";
import { changedFile, deletedFile, inputFor, newFile, tempRepo } from "../review-fixture.ts";
import type { ReviewInput } from "../review-types.ts";
import { quarantineReviewer } from "./quarantine-reviewer.ts";

const NOW = Date.parse("2025-01-10T12:00:00Z");
const TRIAGE = "job_0123456789abcdef";
const sha = (c: string) => c.repeat(40);
const triageOk = { kind: "triage", state: "succeeded", check: "test", commit: sha("a") };

function facts(add: QuarantineEntry[] | null, over: Partial<QuarantineFacts> = {}): QuarantineFacts {
  return { declared: add === null ? null : { jobId: "job_quarantine0001", add, remove: [] }, triage: { [TRIAGE]: triageOk }, now: NOW, ...over };
}

/** A review input whose diff takes the quarantine file from `before` to `after` (null: absent). */
function change(before: string | null, after: string | null, quarantine: QuarantineFacts | null): ReviewInput {
  const lines = (t: string) => t.replace(/\n$/, "").split("\n");
  const diff = before === null ? newFile(QUARANTINE_FILE, lines(after!)) : after === null ? deletedFile(QUARANTINE_FILE, lines(before)) : changedFile(QUARANTINE_FILE, `@@ -1 +1 @@\n-x\n+y\n`);
  return { ...inputFor(diff, { contents: { [QUARANTINE_FILE]: { old: before, new: after } } }), quarantine };
}

const rules = (input: ReviewInput) => quarantineReviewer.review(input).map((f) => [f.rule, f.severity]);

describe("quarantine reviewer", () => {
  test("attack: a file renamed onto the quarantine brings no base entries: each of its entries is judged as added", async () => {
    const repo = tempRepo();
    try {
      const text = addEntries(null, [entry()]);
      const base = repo.commit({ "docs/quarantine-example.toml": text, "README.md": "x\n" });
      const head = repo.commit({ "docs/quarantine-example.toml": null, [QUARANTINE_FILE]: text, "src/a.ts": "broken\n" });
      const files = await parseDiff(repo.root, base, head, { contentsFor: reviewContentsFor() });
      expect(files.find((f) => f.path === QUARANTINE_FILE)).toMatchObject({ status: "renamed", oldPath: "docs/quarantine-example.toml" });
      const input = { ...inputFor(newFile("README.md", ["x"])), baseSha: base, headSha: head, files, quarantine: facts(null) };
      expect(rules(input)).toEqual([["quarantine.undeclared", "block"], ["quarantine.needs_approval", "note"]]);
    } finally {
      repo.cleanup();
    }
  });

  test("a diff that does not touch the quarantine: nothing", () => {
    expect(quarantineReviewer.review(inputFor(newFile("src/a.ts", ["x"])))).toEqual([]);
  });

  test("the quarantine job's own entry, with its evidence: a note that a person approves it", () => {
    const findings = quarantineReviewer.review(change(null, addEntries(null, [entry()]), facts([entry()])));
    expect(findings.map((f) => [f.rule, f.severity, f.line])).toEqual([["quarantine.needs_approval", "note", 5]]);
    expect(findings[0]!.message).toContain('quarantines "src/a.test.ts > math > adds" (check test) until 2025-02-09');
  });

  test("a hand-made PR that adds an entry with no evidence is refused", () => {
    const weak = entry({ runs: 1, failures: 0, score: 0 });
    expect(rules(change(null, addEntries(null, [weak]), null))).toEqual([
      ["quarantine.weak_evidence", "block"],
      ["quarantine.weak_evidence", "block"],
      ["quarantine.weak_evidence", "block"],
      ["quarantine.undeclared", "block"],
      ["quarantine.evidence_unverified", "block"],
      ["quarantine.needs_approval", "note"],
    ]);
    // Full evidence by hand is refused too: entries come only from a quarantine job.
    const byHand = quarantineReviewer.review(change(null, addEntries(null, [entry()]), facts(null)));
    expect(byHand.map((f) => [f.rule, f.severity])).toEqual([["quarantine.undeclared", "block"], ["quarantine.needs_approval", "note"]]);
    expect(byHand[0]!.message).toContain("this PR was not made by a quarantine job");
  });

  test("a quarantine PR that widens itself: more entries than declared, or an entry other than declared", () => {
    const base = addEntries(null, [entry()]);
    const more = addEntries(null, [entry(), entry({ id: "src/b.test.ts > other" })]);
    const findings = quarantineReviewer.review(change(null, more, facts([entry()])));
    expect(findings.filter((f) => f.severity === "block").map((f) => [f.rule, f.message])).toEqual([
      ["quarantine.undeclared", '"src/b.test.ts > other" (check test) is not among the entries its quarantine job job_quarantine0001 was asked to add'],
    ]);
    // The same test, its expiry pushed out or its check changed after the job wrote it.
    const later = change(base, base.replace('expires = "2025-02-09"', 'expires = "2025-03-01"'), facts([entry()]));
    expect(quarantineReviewer.review(later).filter((f) => f.severity === "block").map((f) => [f.rule, f.message])).toEqual([
      ["quarantine.undeclared", '"src/a.test.ts > math > adds" (check test) differs from the entry its quarantine job job_quarantine0001 was asked to add'],
    ]);
  });

  test("an id changed to a pattern is refused as widening", () => {
    const text = addEntries(null, [entry()]).replace('id = "src/a.test.ts > math > adds"', 'id = "src/a.test.ts > *"');
    const findings = quarantineReviewer.review(change(null, text, facts([entry()])));
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([["quarantine.widened", "block"]]);
    expect(findings[0]!.message).toContain("never a pattern");
  });

  test("a file that does not parse blocks", () => {
    expect(rules(change(null, "[[test]]\nid = \n", facts([])))).toEqual([["quarantine.invalid", "block"]]);
    expect(rules(change(null, addEntries(null, [entry()]).replace(/expires = .*\n/, ""), facts([entry()])))).toEqual([["quarantine.invalid", "block"]]);
  });

  test("evidence that is not a flaky test, an expiry past the limit, a future date", () => {
    expect(rules(change(null, addEntries(null, [entry({ failures: 5 })]), facts([entry({ failures: 5 })])))).toEqual([["quarantine.weak_evidence", "block"], ["quarantine.needs_approval", "note"]]);
    const future = entry({ added: "2025-06-01", expires: "2025-07-01" });
    expect(rules(change(null, addEntries(null, [future]), facts([future])))).toEqual([["quarantine.weak_evidence", "block"], ["quarantine.needs_approval", "note"]]);
    const tooLong = addEntries(null, [entry()]).replace('expires = "2025-02-09"', 'expires = "2025-12-31"');
    expect(rules(change(null, tooLong, facts([entry()])))).toEqual([["quarantine.invalid", "block"]]);
  });

  test("the triage job named must be a succeeded triage of that check on one of the entry's commits", () => {
    const text = addEntries(null, [entry()]);
    const with_ = (t: QuarantineFacts["triage"][string]) => rules(change(null, text, facts([entry()], { triage: { [TRIAGE]: t } })));
    const blocked = [["quarantine.evidence_unverified", "block"], ["quarantine.needs_approval", "note"]];
    expect(with_(null)).toEqual(blocked);
    expect(with_({ ...triageOk, kind: "run", check: null, commit: null })).toEqual(blocked);
    expect(with_({ ...triageOk, state: "failed" })).toEqual(blocked);
    expect(with_({ ...triageOk, check: "lint" })).toEqual(blocked);
    expect(with_({ ...triageOk, commit: sha("f") })).toEqual(blocked);
    expect(with_(triageOk)).toEqual([["quarantine.needs_approval", "note"]]);
  });

  test("un-quarantine, by anyone: notes only; an entry left as it was says nothing", () => {
    const both = addEntries(null, [entry(), entry({ id: "b" })]);
    expect(quarantineReviewer.review(change(both, removeEntries(both, ["b"]), null)).map((f) => [f.rule, f.severity, f.message])).toEqual([
      ["quarantine.removed", "note", 'un-quarantines "b" (check test): its failures fail the check again'],
    ]);
    expect(rules(change(both, null, null))).toEqual([["quarantine.removed", "note"], ["quarantine.removed", "note"]]);
    const reworded = both.replace("# Quarantined tests", "# The quarantined tests");
    expect(rules(change(both, reworded, null))).toEqual([]);
  });

  test("a base that did not parse: every entry counts as added", () => {
    const findings = rules(change("[[test]]\nbroken", addEntries(null, [entry()]), facts([entry()])));
    expect(findings).toEqual([["quarantine.base_invalid", "note"], ["quarantine.needs_approval", "note"]]);
  });

  test("a file too large to load, or binary, cannot be judged", () => {
    const input = inputFor(newFile(QUARANTINE_FILE, ["x"]));
    expect(rules(input)).toEqual([["quarantine.unreadable", "block"]]);
  });
});
