import { expect, test } from "bun:test";
import type { WorkItem } from "../../planning/work-item.ts";
import { countFindings, type SecurityAudit, type SecurityFinding } from "../../security/security-finding.ts";
import { auditOutcome, securitySentinel } from "./index.ts";

const item: WorkItem = {
  id: "wi_1",
  dedupeKey: "security_audit:base",
  source: "backlog",
  type: "security_audit",
  title: "Security audit",
  priority: 50,
  state: "dispatched",
  risk: null,
  scope: [],
  labels: ["security"],
  notes: null,
  createdBy: "os:me",
  createdAt: 0,
  updatedAt: 0,
  question: null,
  escalation: null,
  answer: null,
  detail: {},
};
const finding = (severity: SecurityFinding["severity"], check: SecurityFinding["check"], rule: string, file: string | null = null, line: number | null = null): SecurityFinding => ({ check, rule, severity, file, line, message: "m", fixHint: "h" });
const audit = (findings: SecurityFinding[]): SecurityAudit => ({ baseBranch: "main", baseCommit: "c".repeat(40), auditedAt: 1, findings, counts: countFindings(findings), scanned: { files: 3, bytes: 10 }, notes: [], complete: true });

test("the task changes nothing and its job is the base's exact commit", () => {
  const task = securitySentinel.task(item);
  expect(task).toMatchObject({ kind: "security-audit", risk: "low", constraints: { scope: [] } });
  expect(securitySentinel.jobInput(item, task, { baseBranch: "main", baseCommit: "d".repeat(40) })).toEqual({ baseBranch: "main", baseCommit: "d".repeat(40) });
  expect(securitySentinel.spec.needsModel).toBe(false);
});

test("nothing above low: done, with a summary", () => {
  expect(auditOutcome(item, audit([finding("low", "settings", "low.auto_merge"), finding("info", "advisories", "no_audit_service")]))).toEqual({
    done: "security audit of main at cccccccccccc: 1 low, 1 info, nothing above low",
  });
});

test("a medium finding stops the item on a question proposing the next step; a high one is high_risk", () => {
  const medium = auditOutcome(item, audit([finding("medium", "advisories", "advisory:7", "package-lock.json")]));
  expect(medium).toMatchObject({ escalation: "stopped" });
  const q = (medium as { question: string }).question;
  expect(q).toContain("medium advisories package-lock.json (advisory:7)");
  expect(q).toContain("the Dependency Steward's security PR");
  expect(q).toContain('pushpals answer wi_1 "fixed"');

  const high = auditOutcome(item, audit([finding("high", "secrets", "secretlint/aws", "src/deploy.ts", 3), finding("medium", "settings", "sandbox.network", ".pushpals/config.toml")]));
  expect(high).toMatchObject({ escalation: "high_risk" });
  const hq = (high as { question: string }).question;
  expect(hq).toContain("1 high, 1 medium");
  expect(hq).toContain("high secrets src/deploy.ts:3 (secretlint/aws)");
  expect(hq).toContain("rotate each secret first");
  expect(hq).toContain("pushpals ask --risk high");
  expect(hq).toContain("The Sentinel changes no code");
});

test("a result that is no audit stops the item instead of calling it clean", () => {
  expect(auditOutcome(item, { nope: true })).toMatchObject({ escalation: "stopped" });
});
