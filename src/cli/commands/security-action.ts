import type { Command } from "commander";
import { routes } from "../../api/routes.ts";
import { visible } from "../../core/safe-text.ts";
import { countsText, type SecurityFinding } from "../../security/security-finding.ts";
import type { SecurityReport } from "../../sources/security-audit/security-report.ts";
import { cliContext } from "../context.ts";
import { age, printJson, shortSha, table, type Cell } from "../format.ts";
import { style } from "../style.ts";

export async function runSecurity(program: Command, opts: { audit?: boolean; all?: boolean; json?: boolean }): Promise<void> {
  const ctx = await cliContext(program.opts());
  if (opts.audit) {
    const data = await ctx.client.call(routes.requestSecurityAudit, { body: {} });
    if (opts.json) return printJson(data);
    const { item, filed } = data;
    process.stdout.write(
      filed
        ? `filed security audit ${visible(item.id)}: the RemoteAgent dispatches it to the Security Sentinel\n  then: pushpals security\n`
        : `a security audit is already ${item.state === "dispatched" ? "running" : "waiting"}: ${visible(item.id)}\n  then: pushpals security\n`,
    );
    return;
  }
  const report = await ctx.client.call(routes.securityReport);
  if (opts.json) return printJson(report);
  process.stdout.write(securityText(report, opts.all ?? false, Date.now()));
}

const PAINT: Record<SecurityFinding["severity"], (t: string) => string> = { high: style.red, medium: style.yellow, low: (t) => t, info: style.dim };

/** `pushpals security`: the audit's findings worst first, then what it could not see, the item and the job since. */
export function securityText(report: SecurityReport, all: boolean, now: number): string {
  const lines: string[] = [];
  const { audit, latest, item } = report;
  if (!audit) {
    lines.push("no security audit has finished yet; file one: pushpals security --audit");
  } else {
    lines.push(`security audit of ${visible(audit.baseBranch)} at ${shortSha(audit.baseCommit)} (job ${visible(audit.job)}, ${age(audit.auditedAt, now)} ago): ${countsText(audit.counts)}${audit.complete ? "" : " (incomplete)"}`);
    lines.push(`  secrets: ${audit.scanned.files} file(s) scanned`);
    const shown = audit.findings.filter((f) => all || f.severity !== "info");
    if (shown.length > 0) {
      const rows: Cell[][] = [["SEVERITY", "CHECK", "WHERE", "RULE", "FINDING"], ...shown.map((f) => [{ text: f.severity, paint: PAINT[f.severity] }, f.check, visible(where(f)), visible(f.rule), visible(f.message)])];
      lines.push("", table(rows).trimEnd());
      const fixes = shown.filter((f) => f.severity === "high" || f.severity === "medium");
      if (fixes.length > 0) lines.push("", "fix:", ...[...new Set(fixes.map((f) => `  ${visible(where(f) || f.rule)}: ${visible(f.fixHint)}`))]);
    }
    const hidden = audit.findings.length - shown.length;
    if (hidden > 0) lines.push(`  ${hidden} info finding(s) not listed (--all)`);
    for (const note of audit.notes) lines.push(`  note: ${visible(note)}`);
  }
  if (latest) lines.push(`newest audit job ${visible(latest.job)}: ${latest.state}${latest.failure ? `: ${visible(latest.failure)}` : ""}`);
  if (item && item.state === "blocked") lines.push(`item ${visible(item.id)} waits on a person: ${visible(item.question ?? "")}`);
  else if (item && (item.state === "open" || item.state === "dispatched")) lines.push(`item ${visible(item.id)} is ${item.state === "open" ? "waiting to be dispatched" : "running"}`);
  return `${lines.join("\n")}\n`;
}

function where(f: SecurityFinding): string {
  return f.file === null ? "" : `${f.file}${f.line === null ? "" : `:${f.line}`}`;
}
