import { isPushpalsError } from "../../core/errors.ts";
import { JobFailure } from "../../core/job-failure.ts";
import { loadPolicyAt } from "../../policy/load-policy-at.ts";
import { DEFAULT_POLICY } from "../../policy/policy-defaults.ts";
import { readNpmConfigSources } from "../../registry/registry-config.ts";
import { git } from "../../scm/git.ts";
import { auditLockedDependencies } from "../../updates/locked-advisories.ts";
import { countFindings, countsText, MAX_FINDINGS, sortFindings, type SecurityAudit, type SecurityFinding } from "../../security/security-finding.ts";
import { auditSettings, unreadableSettings } from "../../config/settings-audit.ts";
import { scanTreeSecrets } from "../../review/tree-secrets.ts";
import { DEFAULT_CONFIG } from "../../config/schema.ts";
import { configAt } from "../common/checks-at-base.ts";
import type { JobContext } from "../common/job-context.ts";
import type { SecurityAuditInput } from "./security-audit-input.ts";

/** The three checks of one commit, worst findings first, cut to fit one request body. */
export async function runSecurityAudit(input: SecurityAuditInput, ctx: JobContext): Promise<SecurityAudit> {
  const { repoRoot } = ctx.paths;
  const commit = input.baseCommit;
  const exists = await git(["cat-file", "-e", `${commit}^{commit}`], { cwd: repoRoot, allowFailure: true });
  if (exists.exitCode !== 0) throw new JobFailure("invalid_input", `commit ${commit.slice(0, 12)} is not in the repository, so it cannot be audited`, { command: `git cat-file -e ${commit}` });
  ctx.log("system", `security audit of ${input.baseBranch} at ${commit.slice(0, 12)}: secrets, advisories, settings`);

  const settings = await settingsFindings(repoRoot, commit);
  const [secrets, advisories] = await Promise.all([
    scanTreeSecrets(repoRoot, commit, { signal: ctx.signal }),
    auditLockedDependencies(repoRoot, commit, { npmConfig: (dir) => readNpmConfigSources(dir, process.env), signal: ctx.signal }),
  ]);
  ctx.log("system", `secrets: ${secrets.scanned.files} file(s), ${secrets.scanned.bytes} bytes scanned; ${secrets.findings.length} finding(s)`);
  ctx.log("system", `advisories: ${advisories.findings.length} finding(s)${advisories.complete ? "" : " (incomplete)"}; settings: ${settings.length} finding(s)`);

  let findings = sortFindings([...settings, ...secrets.findings, ...advisories.findings]);
  const notes = [...secrets.notes, ...advisories.notes];
  const counts = countFindings(findings);
  if (findings.length > MAX_FINDINGS) {
    notes.push(`${findings.length} findings: only the ${MAX_FINDINGS} worst are listed`);
    findings = findings.slice(0, MAX_FINDINGS);
  }
  const audit: SecurityAudit = {
    baseBranch: input.baseBranch,
    baseCommit: commit,
    auditedAt: Date.now(),
    findings,
    counts,
    scanned: secrets.scanned,
    notes: notes.slice(0, 100).map((n) => n.slice(0, 1000)),
    complete: secrets.complete && advisories.complete,
  };
  const fitted = fit(audit, Math.floor(ctx.config.server.max_body_bytes / 2));
  // Messages name the file, line and rule; no finding carries a secret's value, so they may be logged.
  for (const f of fitted.findings.filter((x) => x.severity === "high" || x.severity === "medium")) ctx.log("system", `${f.severity} ${f.check} ${f.rule}: ${f.message}`);
  for (const n of fitted.notes) ctx.log("system", n);
  ctx.log("system", `${countsText(fitted.counts)}${fitted.complete ? "" : " (incomplete: see the notes)"}`);
  return fitted;
}

async function settingsFindings(repoRoot: string, commit: string): Promise<SecurityFinding[]> {
  const problems: SecurityFinding[] = [];
  const config = await configAt(repoRoot, commit, "its sandbox settings").catch((err: unknown) => {
    if (!(err instanceof JobFailure)) throw err;
    problems.push(unreadableSettings("config", err.message));
    return DEFAULT_CONFIG;
  });
  const policy = await loadPolicyAt(repoRoot, commit).then(
    (l) => l.policy,
    (err: unknown) => {
      if (!isPushpalsError(err)) throw err;
      problems.push(unreadableSettings("policy", err.message));
      return DEFAULT_POLICY;
    },
  );
  // A file that does not parse is audited as the defaults, which every finding below is measured against.
  return [...problems, ...auditSettings(config, policy)];
}

/** The lowest findings are dropped (said in a note; the counts stay those of every finding) until the result fits. */
function fit(audit: SecurityAudit, maxBytes: number): SecurityAudit {
  let out = audit;
  while (Buffer.byteLength(JSON.stringify(out)) > maxBytes && out.findings.length > 0) {
    const keep = Math.floor(out.findings.length / 2);
    const note = `only the ${keep} worst of ${out.findings.length} findings are listed (the result's size limit)`;
    const findings = out.findings.slice(0, keep);
    out = { ...out, findings, notes: [...out.notes.slice(0, 99), note] };
  }
  return out;
}
