import { PushpalsError } from "../../core/errors.ts";
import type { DispatchBase, Specialist, SpecialistPlugin, TaskSuccess } from "../../planning/specialist.ts";
import type { Task } from "../../planning/task.ts";
import type { WorkItem } from "../../planning/work-item.ts";
import { countsText, SecurityAudit, type SecurityFinding } from "../../security/security-finding.ts";
import { SECURITY_AUDIT_TYPE } from "../../sources/security-audit/audit-item.ts";

const TIME_BUDGET_SECONDS = 1_800;
/** Findings the question lists one by one (`pushpals security` shows them all). */
const LISTED = 6;

/**
 * The Security Sentinel (issue #19): a `security_audit` item becomes one `security-audit` job of the base
 * branch's head: secrets in the whole tree, advisories of the locked dependencies, the committed policy and
 * sandbox settings. Deterministic, and proposal-first: it never changes code. Nothing above Low: the item is
 * done. A Medium or High finding stops the item on a question that lists the findings and proposes the
 * next step (rotate and purge a secret, the Dependency Steward's security PR, an RFC for a boundary).
 */
const spec: Specialist = {
  id: "security-sentinel",
  name: "Security Sentinel",
  version: "1",
  itemTypes: [SECURITY_AUDIT_TYPE],
  kinds: ["security-audit"],
  role: "security_sentinel",
  needsModel: false,
  limits: { concurrent: 1, dispatchesPerHour: 6, dispatchesPerDay: 24 },
};

function auditTask(item: WorkItem): Task {
  if (item.type !== SECURITY_AUDIT_TYPE) throw new PushpalsError("invalid_input", `work item ${item.id} is a ${item.type} item, not a security audit`, { hint: "file one with: pushpals security --audit" });
  return {
    goal: "know whether the base branch's head leaks a secret, locks a vulnerable dependency or commits settings that weaken a boundary",
    constraints: { scope: [], timeBudgetSeconds: TIME_BUDGET_SECONDS, style: null },
    risk: "low",
    definitionOfDone: [
      "every text blob of the commit scanned for secrets (bounded; what was skipped is said), no value in the result or the log",
      "the locked dependencies' advisories asked of their registries",
      "the committed .pushpals/config.toml and .pushpals/policy.toml audited",
      "nothing in the repository changed: findings as a report, a question for anything above Low",
    ],
    notes: [`work item ${item.id} (${item.source})`],
    specialist: spec.id,
    kind: "security-audit",
  };
}

function auditJob(_item: WorkItem, _task: Task, base: DispatchBase): unknown {
  return { baseBranch: base.baseBranch, baseCommit: base.baseCommit };
}

/** Done when nothing is above Low; else the question, High first. */
export function auditOutcome(item: WorkItem, result: unknown): TaskSuccess {
  const parsed = SecurityAudit.safeParse(result);
  if (!parsed.success) return { escalation: "stopped", question: `Its audit's result could not be read (${parsed.error.issues[0]?.message ?? "invalid"}): audit again (pushpals answer ${item.id} "again") or drop it?` };
  const audit = parsed.data;
  const at = `${audit.baseBranch} at ${audit.baseCommit.slice(0, 12)}`;
  const serious = audit.findings.filter((f) => f.severity === "high" || f.severity === "medium");
  const incomplete = audit.complete ? "" : " (incomplete: see pushpals security)";
  if (serious.length === 0 && audit.counts.high === 0 && audit.counts.medium === 0) return { done: `security audit of ${at}: ${countsText(audit.counts)}, nothing above low${incomplete}` };
  const high = audit.counts.high > 0;
  const shown = serious.slice(0, LISTED).map(brief);
  const more = audit.counts.high + audit.counts.medium - shown.length;
  const steps = nextSteps(serious);
  const again = high
    ? `once done, drop this item (pushpals backlog drop ${item.id}) or audit again (pushpals security --audit)`
    : `once done, audit again (pushpals answer ${item.id} "fixed") or drop it (pushpals backlog drop ${item.id}) to accept the risk`;
  const question = `The security audit of ${at} found ${countsText(audit.counts)}${incomplete}: ${shown.join("; ")}${more > 0 ? `; and ${more} more (pushpals security)` : ""}. Proposed: ${steps.join("; ")}. The Sentinel changes no code; ${again}.`;
  return { escalation: high ? "high_risk" : "stopped", question: question.slice(0, 3_000) };
}

function brief(f: SecurityFinding): string {
  const where = f.file === null ? "" : ` ${f.file}${f.line === null ? "" : `:${f.line}`}`;
  return `${f.severity} ${f.check}${where} (${f.rule})`;
}

function nextSteps(findings: readonly SecurityFinding[]): string[] {
  const checks = new Set(findings.map((f) => f.check));
  const steps: string[] = [];
  if (checks.has("secrets")) steps.push("rotate each secret first (it is in every clone's history), then remove it and purge it from the history (git filter-repo)");
  if (checks.has("advisories")) steps.push("the Dependency Steward's security PR for each advisory (pushpals deps scan, then pushpals deps), where the policy allows an update");
  if (checks.has("settings")) steps.push('put each weakened boundary back, or keep it only through an RFC: pushpals ask --risk high "<the boundary and why>" opens one');
  return steps;
}

export const securitySentinel: SpecialistPlugin = { spec, task: auditTask, jobInput: auditJob, onSuccess: auditOutcome };
