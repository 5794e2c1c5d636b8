import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { isPushpalsError } from "../core/errors.ts";
import { JobFailure } from "../core/job-failure.ts";
import { MAX_LOCKFILE_BYTES } from "../ecosystems/common/lockfile.ts";
import { LOCKFILE_NAMES, MANIFEST_NAMES } from "../ecosystems/registry.ts";
import type { NpmConfigSources } from "../deps/npm-config.ts";
import { fetchAdvisories, type Advisory, type Severity } from "../registry/advisories.ts";
import { RegistryFailure } from "../registry/registry-failure.ts";
import { gitBytes } from "../scm/git.ts";
import { treeFiles, type TreeEntry } from "../scm/tree-entries.ts";
import type { SecurityFinding, SecuritySeverity } from "../security/security-finding.ts";
import { isInsideRelative } from "./checkout-files.ts";
import { extractDependencies, MAX_MANIFEST_BYTES } from "./extract.ts";
import { PNPM_WORKSPACE } from "./workspaces.ts";

/**
 * The known advisories of the locked dependencies at one commit. The files the Dependency Steward's
 * extraction reads (every manifest, the lockfiles, the pnpm workspace file, the root .npmrc) are copied
 * from the commit's objects into a private temporary folder, and nothing else: no working tree, nothing
 * run. Their locked versions are asked of the registry's bulk advisory endpoint (src/registry/advisories.ts).
 */
const MAX_MANIFESTS = 2_000;
const WANTED = new Set([...MANIFEST_NAMES, ...LOCKFILE_NAMES, PNPM_WORKSPACE]);

export interface LockedAdvisories {
  findings: SecurityFinding[];
  notes: string[];
  /** False when the advisories could not be read: a clean result then says nothing. */
  complete: boolean;
}

export interface LockedAdvisoriesOptions {
  /** The npm configuration of the worker's user; its `project` part is the committed .npmrc, read here. */
  npmConfig: (projectDir: string) => NpmConfigSources;
  signal?: AbortSignal;
}

export function mapAdvisorySeverity(severity: Severity): SecuritySeverity {
  if (severity === "critical" || severity === "high") return "high";
  if (severity === "moderate") return "medium";
  return "low";
}

const STEWARD_FIX =
  "the Dependency Steward files the security update when the policy allows one (its scan: pushpals deps scan; pushpals deps shows the update, or why none is allowed); or update the dependency by hand";

export async function auditLockedDependencies(repoRoot: string, commit: string, options: LockedAdvisoriesOptions): Promise<LockedAdvisories> {
  const dir = mkdtempSync(join(tmpdir(), "pushpals-security-"));
  try {
    const copied = await copyDependencyFiles(repoRoot, commit, dir);
    if (!copied.has("package.json")) return { findings: [], notes: ["advisories: no package.json at the root of the commit, so no npm dependencies to audit"], complete: true };
    let extraction;
    try {
      extraction = await extractDependencies(dir);
    } catch (err) {
      if (!isPushpalsError(err)) throw err;
      return { findings: [], notes: [`advisories: ${err.message}`.slice(0, 1000)], complete: false };
    }
    const notes = extraction.notes.slice(0, 20).map((n) => `advisories: ${n}`.slice(0, 1000));
    const findings: SecurityFinding[] = [];
    const installed = new Map<string, Set<string>>();
    const where = new Map<string, Set<string>>();
    for (const d of extraction.dependencies) {
      if (!d.lockedVersion) continue;
      installed.set(d.name, (installed.get(d.name) ?? new Set()).add(d.lockedVersion));
      where.set(`${d.name}@${d.lockedVersion}`, (where.get(`${d.name}@${d.lockedVersion}`) ?? new Set()).add(d.manifestPath));
    }
    if (extraction.lockfile === null || extraction.lockfileProblem !== null) {
      findings.push({
        check: "advisories",
        rule: "no_locked_versions",
        severity: "info",
        file: extraction.lockfile,
        line: null,
        message: extraction.lockfile === null ? "no lockfile is committed: the installed versions are not fixed, so their advisories cannot be asked" : `the lockfile ${extraction.lockfile} could not be read, so the installed versions are unknown`,
        fixHint: "commit the package manager's lockfile (a text one: package-lock.json, pnpm-lock.yaml, yarn.lock or bun.lock)",
      });
    }
    if (installed.size === 0) return { findings, notes, complete: true };
    let report;
    try {
      report = await fetchAdvisories(new Map([...installed].map(([n, v]) => [n, [...v]])), { npmConfig: options.npmConfig(dir), signal: options.signal });
    } catch (err) {
      // The committed .npmrc may be what refuses (a program it would run is policy_denied): that is a finding, not the audit's end.
      if (!(err instanceof RegistryFailure) && !(err instanceof JobFailure)) throw err;
      const refused = err instanceof JobFailure && err.failureClass === "policy_denied";
      findings.push({ check: "advisories", rule: refused ? "advisories_refused" : "advisories_unread", severity: refused ? "high" : "info", file: extraction.lockfile, line: null, message: `the advisories could not be read: ${err.message}`.slice(0, 2000), fixHint: refused ? "remove what the committed .npmrc would run (see the message), then audit again" : "run the audit again once the registry answers (pushpals security --audit)" });
      return { findings, notes, complete: false };
    }
    for (const host of report.unsupported) {
      findings.push({
        check: "advisories",
        rule: "no_audit_service",
        severity: "info",
        file: null,
        line: null,
        message: `the registry ${host} offers no audit service (it answers the bulk advisory request with 404, 405 or 501): vulnerable versions of the packages it serves are not known`,
        fixHint: "use a registry with an audit service for those packages (or a proxy of one), or audit them another way",
      });
    }
    for (const [name, advisories] of report.advisories) {
      for (const version of [...(installed.get(name) ?? [])].sort()) findings.push(...advisoryFindings(name, version, advisories, [...(where.get(`${name}@${version}`) ?? [])].sort(), extraction.lockfile));
    }
    return { findings, notes, complete: true };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function advisoryFindings(name: string, version: string, advisories: readonly Advisory[], manifests: string[], lockfile: string | null): SecurityFinding[] {
  return advisories.map((a) => ({
    check: "advisories",
    rule: `advisory:${String(a.id)}`.slice(0, 200),
    severity: mapAdvisorySeverity(a.severity),
    file: lockfile ?? manifests[0] ?? null,
    line: null,
    message: `${name}@${version} (${manifests.join(", ") || "the lockfile"}) is vulnerable: ${a.title} (${a.severity}; ${a.url}; vulnerable ${a.vulnerableVersions})`.slice(0, 2000),
    fixHint: STEWARD_FIX,
  }));
}

/** Copies the extraction's files of `commit` into `dir`; returns the paths copied. */
async function copyDependencyFiles(repoRoot: string, commit: string, dir: string): Promise<Set<string>> {
  const entries = (await treeFiles(repoRoot, commit)).filter(wanted).slice(0, MAX_MANIFESTS);
  const copied = new Set<string>();
  for (const entry of entries) {
    const limit = LOCKFILE_NAMES.includes(posix.basename(entry.path)) ? MAX_LOCKFILE_BYTES : MAX_MANIFEST_BYTES;
    // Left out, the extraction says the file is absent; the reader's own limit says the same of a large one.
    if (entry.size > limit) continue;
    const blob = await gitBytes(["cat-file", "blob", entry.oid], { cwd: repoRoot });
    const target = join(dir, ...entry.path.split("/"));
    mkdirSync(join(target, ".."), { recursive: true, mode: 0o700 });
    writeFileSync(target, blob.stdout, { mode: 0o600 });
    copied.add(entry.path);
  }
  return copied;
}

function wanted(entry: TreeEntry): boolean {
  if (!isInsideRelative(entry.path) || entry.path.split("/").includes("node_modules")) return false;
  return WANTED.has(posix.basename(entry.path)) || entry.path === ".npmrc";
}
