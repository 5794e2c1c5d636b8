import { isDeepStrictEqual } from "node:util";
import { isPushpalsError } from "../../core/errors.ts";
import { parseQuarantine } from "../../test-quarantine/parse-quarantine.ts";
import { QUARANTINE_FILE, type QuarantineEntry } from "../../test-quarantine/quarantine-entry.ts";
import { evidenceProblems } from "../../test-quarantine/quarantine-evidence.ts";
import { findBlocks, splitLines } from "../../test-quarantine/quarantine-blocks.ts";
import type { DiffFile } from "../diff-types.ts";
import type { QuarantineFacts } from "../quarantine-facts.ts";
import type { Finding, ReviewInput, Reviewer } from "../review-types.ts";

const NAME = "quarantine";

/** Stable rule ids of this reviewer's findings. */
export const QUARANTINE_RULES = {
  unreadable: "quarantine.unreadable",
  invalid: "quarantine.invalid",
  widened: "quarantine.widened",
  weakEvidence: "quarantine.weak_evidence",
  undeclared: "quarantine.undeclared",
  unverified: "quarantine.evidence_unverified",
  needsApproval: "quarantine.needs_approval",
  removed: "quarantine.removed",
  baseInvalid: "quarantine.base_invalid",
} as const;

/** The two sides of the quarantine file in a diff: what the base listed and what the head lists. */
export interface QuarantineChange {
  file: DiffFile;
  /** Entries added, or changed in place (same id, other fields), at the head. */
  added: QuarantineEntry[];
  removed: QuarantineEntry[];
  /** The line of each head entry's `[[test]]` header, by id. */
  lines: Map<string, number>;
  /** Why a side could not be read; `head` set means nothing else is known. */
  problems: { base: string | null; head: string | null; headField: string | null };
}

/** The diff's quarantine file (on either side of a rename), or null when it does not touch it. */
export function quarantineFileOf(files: readonly DiffFile[]): DiffFile | null {
  return files.find((f) => f.path === QUARANTINE_FILE || f.oldPath === QUARANTINE_FILE) ?? null;
}

/**
 * What the diff does to the quarantine: both sides parsed (the base's side is the file as it was at the
 * base; a side the file is not on is no entries). Null when the file is not touched or not loaded.
 */
export function quarantineChange(files: readonly DiffFile[]): QuarantineChange | null {
  const file = quarantineFileOf(files);
  if (!file || !file.contents) return null;
  // The base side is the quarantine file's own past: a file renamed onto it brings no entries of the base with it
  // (its old text is another file's, so every entry in it is added by this PR and judged as such).
  const renamedOnto = file.path === QUARANTINE_FILE && file.oldPath !== null && file.oldPath !== QUARANTINE_FILE;
  const oldText = !renamedOnto && (file.oldPath === QUARANTINE_FILE || file.path === QUARANTINE_FILE) ? file.contents.old : null;
  const newText = file.path === QUARANTINE_FILE && file.status !== "deleted" ? file.contents.new : null;
  const read = (text: string | null, side: string) => {
    if (text === null) return { entries: [] as QuarantineEntry[], problem: null, field: null };
    try {
      return { entries: parseQuarantine(text, `${QUARANTINE_FILE} at the ${side}`).entries, problem: null, field: null };
    } catch (err) {
      if (!isPushpalsError(err)) throw err;
      return { entries: [] as QuarantineEntry[], problem: err.message, field: err.field ?? null };
    }
  };
  const base = read(oldText, "base");
  const head = read(newText, "head");
  const before = new Map(base.entries.map((e) => [e.id, e]));
  const { blocks } = findBlocks(splitLines(newText ?? ""));
  const lines = new Map(blocks.length === head.entries.length ? head.entries.map((e, k) => [e.id, blocks[k]!.header + 1]) : []);
  const after = new Set(head.entries.map((e) => e.id));
  return {
    file,
    added: head.entries.filter((e) => !isDeepStrictEqual(before.get(e.id), e)),
    removed: base.entries.filter((e) => !after.has(e.id)),
    lines,
    problems: { base: base.problem, head: head.problem, headField: head.field },
  };
}

/**
 * The test quarantine (`.pushpals/quarantine.toml`) changes only with evidence and a person's approval.
 * An entry added (or changed in place) must show a flaky test (evidenceProblems), name a triage job the
 * server has for its check and one of its commits, and be exactly one the PR's own `quarantine` job was
 * asked to add (QuarantineFacts.declared, from the server's records): a hand-made PR that adds entries,
 * or a quarantine PR that adds more than it declared, is blocked. Each added entry gets a note that a
 * person approves it (the policy makes the change Medium and never auto-merged). Removing entries
 * (un-quarantine) counts failures again: notes only. The tests reviewer still flags any `.skip`.
 */
export const quarantineReviewer = {
  name: NAME,
  review(input: ReviewInput): Finding[] {
    const file = quarantineFileOf(input.files);
    if (!file) return [];
    if (!file.contents || file.binary) {
      return [finding(QUARANTINE_RULES.unreadable, "block", `${QUARANTINE_FILE} could not be read whole (binary or too large): its entries cannot be judged`, "keep the quarantine a short text file")];
    }
    const change = quarantineChange(input.files)!;
    const facts: QuarantineFacts = input.quarantine ?? { declared: null, triage: {}, now: Date.now() };
    const findings: Finding[] = [];
    if (change.problems.head) {
      const widened = /^test\[\d+\]\.id$/.test(change.problems.headField ?? "") && change.problems.head.includes("never a pattern");
      findings.push(finding(widened ? QUARANTINE_RULES.widened : QUARANTINE_RULES.invalid, "block", change.problems.head, widened ? "name each quarantined test by its exact id" : "fix the file so it parses: a malformed quarantine quarantines nothing"));
      return findings;
    }
    if (change.problems.base) {
      findings.push(finding(QUARANTINE_RULES.baseInvalid, "note", `the base's quarantine did not parse, so it quarantined nothing: every entry here counts as added (${change.problems.base})`, "none: the entries are judged as new"));
    }
    const declared = facts.declared;
    const asked = new Map((declared?.add ?? []).map((e) => [e.id, e]));
    for (const entry of change.added) {
      const line = change.lines.get(entry.id) ?? null;
      const name = `"${entry.id.slice(0, 300)}" (check ${entry.check})`;
      for (const problem of evidenceProblems(entry, facts.now)) {
        findings.push(finding(QUARANTINE_RULES.weakEvidence, "block", `the quarantine of ${name} has no flaky evidence: ${problem}`, "quarantine only a test the CI Medic's triage saw both fail and pass", line));
      }
      if (!declared) {
        findings.push(finding(QUARANTINE_RULES.undeclared, "block", `adds ${name} to the quarantine, but this PR was not made by a quarantine job: entries are added only by the CI Medic, from a triage's evidence`, "remove the entry; a flaky test is quarantined by the CI Medic's quarantine PR, which a person approves", line));
      } else if (!isDeepStrictEqual(asked.get(entry.id), entry)) {
        const what = asked.has(entry.id) ? "differs from the entry its quarantine job" : "is not among the entries its quarantine job";
        findings.push(finding(QUARANTINE_RULES.undeclared, "block", `${name} ${what} ${declared.jobId} was asked to add`, "the PR adds exactly the entries its quarantine job declared: revert the rest", line));
      }
      const triage = facts.triage[entry.triage_job] ?? null;
      const verified = triage !== null && triage.kind === "triage" && triage.state === "succeeded" && triage.check === entry.check && triage.commit !== null && entry.commits.includes(triage.commit);
      if (!verified) {
        const why = triage === null ? "no such job" : triage.kind !== "triage" ? `a ${triage.kind} job` : triage.state !== "succeeded" ? `a triage that is ${triage.state}` : `a triage of check ${triage.check ?? "?"} on ${triage.commit?.slice(0, 12) ?? "?"}`;
        findings.push(finding(QUARANTINE_RULES.unverified, "block", `the evidence of ${name} names triage job ${entry.triage_job}: ${why}, not a succeeded triage of that check on one of its commits`, "name the triage job that reran this check on a commit the test failed on", line));
      }
      findings.push(finding(QUARANTINE_RULES.needsApproval, "note", `quarantines ${name} until ${entry.expires}: its failures stop failing the check (still recorded); a person approves this PR (${entry.failures} of ${entry.runs} runs failed, score ${entry.score})`, "review the evidence and approve the PR, or close it", line));
    }
    for (const entry of change.removed) {
      findings.push(finding(QUARANTINE_RULES.removed, "note", `un-quarantines "${entry.id.slice(0, 300)}" (check ${entry.check}): its failures fail the check again`, "none"));
    }
    return findings;
  },
} satisfies Reviewer;

function finding(rule: string, severity: Finding["severity"], message: string, fixHint: string, line: number | null = null): Finding {
  return { reviewer: NAME, rule, severity, file: QUARANTINE_FILE, line, message: message.slice(0, 4000), fixHint };
}
