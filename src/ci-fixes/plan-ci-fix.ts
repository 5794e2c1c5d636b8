import { CONFIG_RELATIVE_PATH, parseConfigText } from "../config/load.ts";
import { DEFAULT_CONFIG, type PushpalsConfig } from "../config/schema.ts";
import { isPushpalsError } from "../core/errors.ts";
import { isSha } from "../core/sha.ts";
import { DETECTION_ORDER, ecosystemNamedBy, FALLBACK_ECOSYSTEM } from "../ecosystems/detect.ts";
import { PACKAGE_JSON } from "../ecosystems/common/package-json.ts";
import { ECOSYSTEM_IDS, type EcosystemId } from "../ecosystems/registry.ts";
import { git } from "../scm/git.ts";
import { filesNamedInOutput } from "./files-in-output.ts";
import { fixerFor, type Fixer, type FixerCheck } from "./fixer-for.ts";
import { isRepoRelativePath, MAX_NAMED_FILES } from "./repo-path.ts";

const MAX_MANIFEST_BYTES = 1024 * 1024;

/** What the CI Medic proposes for a red lint or format check: the fixer to run, and the files the failure named. */
export interface CiFixPlan {
  fixer: string;
  /** The tracked files the failure named (at most MAX_NAMED_FILES; empty when it named none, or more): only those changing is Low. */
  files: string[];
  /** The fixer is given exactly `files` (a tool's fix mode; a fix script runs as written). */
  scoped: boolean;
  source: Fixer["source"];
  why: string;
}

/** The repository's scripts and package manager at a commit, as committed. */
export interface CommittedScripts {
  scripts: Record<string, string>;
  packageManager: EcosystemId;
}

/**
 * The CI Medic's plan for a failing lint or format check on `commit` (host side, from committed files
 * only, read through git; never a checkout a command ran in): the check must be one the config committed
 * there names; the fixer is `fixerFor` over the committed package.json; the files are those the failure
 * output (`logExcerpt`, the check's own output) names among the commit's tracked files, passed to a
 * tool's fix mode only when the output shows it names them all.
 */
export async function planCiFix(repoRoot: string, commit: string, check: FixerCheck, logExcerpt: string): Promise<CiFixPlan | { reason: string }> {
  if (!isSha(commit)) return { reason: `${JSON.stringify(commit.slice(0, 80))} is not a full commit SHA` };
  const configured = await configuredCheck(repoRoot, commit, check);
  if (configured) return { reason: configured };
  const committed = await committedScripts(repoRoot, commit);
  if ("reason" in committed) return committed;
  const named = filesNamedInOutput(logExcerpt, await trackedFiles(repoRoot, commit));
  // A tracked file named like a flag (`--rulesdir=x`) or otherwise unlike a plain path is never passed to a tool, nor scoped to.
  const plain = named.files.filter(isRepoRelativePath);
  const files = plain.length <= MAX_NAMED_FILES ? plain : [];
  const complete = named.complete && plain.length === named.files.length;
  const planned = fixerFor(check, committed.scripts, committed.packageManager, complete ? files : []);
  if (!planned.fixer) return { reason: planned.reason };
  return { fixer: planned.fixer.command, files, scoped: planned.fixer.scoped, source: planned.fixer.source, why: planned.fixer.why };
}

/**
 * The fixer commands a `ci-fix` job may run for `check` at `commit` with `files`: the one planned with
 * those files and the one planned without (a plan confines the fixer to them only when the output named
 * them all). Read from the committed package.json, so a job's input cannot name any other command.
 */
export async function allowedFixers(repoRoot: string, commit: string, check: FixerCheck, files: readonly string[]): Promise<{ fixers: Fixer[] } | { reason: string }> {
  if (!isSha(commit)) return { reason: `${JSON.stringify(commit.slice(0, 80))} is not a full commit SHA` };
  const committed = await committedScripts(repoRoot, commit);
  if ("reason" in committed) return committed;
  const scoped = fixerFor(check, committed.scripts, committed.packageManager, files);
  if (!scoped.fixer) return { reason: scoped.reason };
  const unscoped = fixerFor(check, committed.scripts, committed.packageManager, []);
  return { fixers: [scoped.fixer, ...(unscoped.fixer ? [unscoped.fixer] : [])] };
}

/** Why `check` is not one of the checks the config committed at `commit` names; null when it is. */
export async function configuredCheck(repoRoot: string, commit: string, check: FixerCheck): Promise<string | null> {
  const config = await configAt(repoRoot, commit);
  if (typeof config === "string") return config;
  if (config.checks.commands.some((c) => c.name === check.name && c.run === check.run)) return null;
  return `${check.name} (\`${check.run}\`) is not a check of the config committed at ${commit.slice(0, 12)}`;
}

/** package.json's scripts and the package manager at `commit`: `install.package_manager` when it names one, else its `packageManager` field, else its lockfile. */
export async function committedScripts(repoRoot: string, commit: string): Promise<CommittedScripts | { reason: string }> {
  const text = await blobAt(repoRoot, commit, PACKAGE_JSON);
  if (text === null) return { reason: `${commit.slice(0, 12)} has no ${PACKAGE_JSON}, so it has no scripts or tools PushPals knows the fix mode of` };
  if (text.length > MAX_MANIFEST_BYTES) return { reason: `${PACKAGE_JSON} at ${commit.slice(0, 12)} is over ${MAX_MANIFEST_BYTES} bytes` };
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch {
    return { reason: `${PACKAGE_JSON} at ${commit.slice(0, 12)} is not valid JSON` };
  }
  if (typeof manifest !== "object" || manifest === null) return { reason: `${PACKAGE_JSON} at ${commit.slice(0, 12)} is not an object` };
  const { scripts: raw, packageManager: field } = manifest as { scripts?: unknown; packageManager?: unknown };
  const scripts: Record<string, string> = {};
  if (typeof raw === "object" && raw !== null) for (const [name, body] of Object.entries(raw)) if (typeof body === "string") scripts[name] = body;
  const config = await configAt(repoRoot, commit);
  const setting = typeof config === "string" ? "auto" : config.install.package_manager;
  if ((ECOSYSTEM_IDS as readonly string[]).includes(setting)) return { scripts, packageManager: setting as EcosystemId };
  const named = ecosystemNamedBy(typeof field === "string" ? field : "");
  if (named) return { scripts, packageManager: named.id };
  const root = new Set(await rootEntries(repoRoot, commit));
  const byLockfile = DETECTION_ORDER.find((e) => e.lockfiles.some((l) => root.has(l)));
  return { scripts, packageManager: (byLockfile ?? FALLBACK_ECOSYSTEM).id };
}

/** Every file tracked at `commit`, relative to the root. */
export async function trackedFiles(repoRoot: string, commit: string): Promise<Set<string>> {
  const r = await git(["ls-tree", "-r", "-z", "--name-only", "--full-tree", commit], { cwd: repoRoot, timeoutMs: 60_000 });
  return new Set(r.stdout.split("\0").filter(Boolean));
}

/** Those of `files` that are not tracked at `commit`. */
export async function untrackedAt(repoRoot: string, commit: string, files: readonly string[]): Promise<string[]> {
  if (files.length === 0) return [];
  const r = await git(["ls-tree", "-r", "-z", "--name-only", "--full-tree", commit, "--", ...files.map((f) => `:(literal)${f}`)], { cwd: repoRoot, timeoutMs: 60_000 });
  const found = new Set(r.stdout.split("\0").filter(Boolean));
  return files.filter((f) => !found.has(f));
}

async function configAt(repoRoot: string, commit: string): Promise<PushpalsConfig | string> {
  const text = await blobAt(repoRoot, commit, CONFIG_RELATIVE_PATH);
  if (text === null) return DEFAULT_CONFIG;
  try {
    return parseConfigText(text, `${CONFIG_RELATIVE_PATH} at ${commit.slice(0, 12)}`);
  } catch (err) {
    if (!isPushpalsError(err)) throw err;
    return `the config committed at ${commit.slice(0, 12)} is not valid: ${err.message}`;
  }
}

async function blobAt(repoRoot: string, commit: string, path: string): Promise<string | null> {
  const r = await git(["cat-file", "blob", `${commit}:${path}`], { cwd: repoRoot, allowFailure: true });
  return r.exitCode === 0 ? r.stdout : null;
}

async function rootEntries(repoRoot: string, commit: string): Promise<string[]> {
  const r = await git(["ls-tree", "-z", "--name-only", "--full-tree", commit], { cwd: repoRoot });
  return r.stdout.split("\0").filter(Boolean);
}
