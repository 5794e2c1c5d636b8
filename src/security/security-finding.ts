import { z } from "zod";
import { Sha } from "../core/sha.ts";

/**
 * The Security Sentinel's findings (issue #19): what a `security-audit` job of one commit found, each with
 * where, why it matters and how to fix it. Secret findings name the file, line and rule, never the value.
 */
export const SecurityCheck = z.enum(["secrets", "advisories", "settings"]);
export type SecurityCheck = z.infer<typeof SecurityCheck>;

export const SECURITY_SEVERITIES = ["info", "low", "medium", "high"] as const;
export const SecuritySeverity = z.enum(SECURITY_SEVERITIES);
export type SecuritySeverity = z.infer<typeof SecuritySeverity>;

export const SecurityFinding = z.strictObject({
  check: SecurityCheck,
  rule: z.string().min(1).max(200),
  severity: SecuritySeverity,
  /** The committed file it is about, or null for the tree as a whole. */
  file: z.string().max(1024).nullable(),
  /** The line in that file, when one (a secret). */
  line: z.number().int().positive().nullable(),
  message: z.string().max(2000),
  fixHint: z.string().max(2000),
});
export type SecurityFinding = z.infer<typeof SecurityFinding>;

export const MAX_FINDINGS = 500;

/** A `security-audit` job's result: every finding of the commit, and what the audit could not look at. */
export const SecurityAudit = z.strictObject({
  baseBranch: z.string().min(1).max(255),
  baseCommit: Sha,
  auditedAt: z.number().int(),
  /** Worst first; at most MAX_FINDINGS (and what fits one request body), the rest said in `notes`. */
  findings: z.array(SecurityFinding).max(MAX_FINDINGS),
  /** Of every finding, listed or not. */
  counts: z.strictObject({ info: z.number().int().min(0), low: z.number().int().min(0), medium: z.number().int().min(0), high: z.number().int().min(0) }),
  /** Blobs the secret scan read, and their bytes. */
  scanned: z.strictObject({ files: z.number().int().min(0), bytes: z.number().int().min(0) }),
  /** What was not looked at and why (a binary or large blob, past the file cap, advisories unknown). */
  notes: z.array(z.string().max(1000)).max(100),
  /** False when a check could not see everything (skipped blobs aside): a clean result then proves less. */
  complete: z.boolean(),
});
export type SecurityAudit = z.infer<typeof SecurityAudit>;

const RANK: Record<SecuritySeverity, number> = { info: 0, low: 1, medium: 2, high: 3 };

export function severityRank(severity: SecuritySeverity): number {
  return RANK[severity];
}

/** The worst severity among `findings` ("info" for none). */
export function worstSeverity(findings: readonly Pick<SecurityFinding, "severity">[]): SecuritySeverity {
  return findings.reduce<SecuritySeverity>((worst, f) => (RANK[f.severity] > RANK[worst] ? f.severity : worst), "info");
}

/** Worst first, then by check, file and line: the order every list shows them in. */
export function sortFindings(findings: readonly SecurityFinding[]): SecurityFinding[] {
  return [...findings].sort(
    (a, b) => RANK[b.severity] - RANK[a.severity] || a.check.localeCompare(b.check) || (a.file ?? "").localeCompare(b.file ?? "") || (a.line ?? 0) - (b.line ?? 0) || a.rule.localeCompare(b.rule),
  );
}

export function countFindings(findings: readonly SecurityFinding[]): SecurityAudit["counts"] {
  const counts = { info: 0, low: 0, medium: 0, high: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** `2 high, 1 medium, 3 low` (severities with none left out; "no findings" for none). */
export function countsText(counts: SecurityAudit["counts"]): string {
  const parts = [...SECURITY_SEVERITIES].reverse().filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
  return parts.length > 0 ? parts.join(", ") : "no findings";
}
