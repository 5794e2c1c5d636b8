import { lstatSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join, sep } from "node:path";
import { routes } from "../../api/routes.ts";
import { resolveFile, type FileOutcome } from "../../conflicts/resolve-file.ts";
import { findStructuredDriver, STRUCTURED_DRIVER, structuredMerge } from "../../conflicts/structured-merge.ts";
import { JobFailure } from "../../core/job-failure.ts";
import { failpoint } from "../../faults/failpoint.ts";
import { updateLockfile } from "../../deps/update-lockfile.ts";
import { literalGlob } from "../revert/revert-request.ts";
import { sandboxFor } from "../../sandbox/sandbox-for.ts";
import { isAncestor, keepCommit } from "../../scm/branches.ts";
import { parseRawDiff, type ChangeStatus } from "../../scm/changes.ts";
import { commitWorktree } from "../../scm/commit.ts";
import { git } from "../../scm/git.ts";
import { markResolved, mergeInto, stageText } from "../../scm/merge-in.ts";
import { advancePrBranch } from "../../scm/pr-branch.ts";
import { hostGit, jobWorktreeDir, removeCheckout, type JobCheckout } from "../../scm/worktree.ts";
import { restoreFile } from "../../updates/apply-ranges.ts";
import { checkCommit } from "../common/check-commit.ts";
import { checksAtBase } from "../common/checks-at-base.ts";
import type { JobContext } from "../common/job-context.ts";
import { jobCheckout } from "../common/job-worktree.ts";
import type { FileResolution, ResolveConflictInput, ResolveConflictResult } from "./resolve-conflict-input.ts";
import { lockfileUnexplained } from "./lockfile-unexplained.ts";
import { resolutionBody } from "./resolution-body.ts";
import { tryModelMerge } from "./model-resolve.ts";
import { maxTier } from "../../core/risk-tier.ts";

const MAX_SCOPE = 256;
const MAX_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Merges the base into the PR's head in a fresh checkout (rerere reusing resolutions recorded before),
 * resolves each file left conflicted by its strategy (everything read before any command runs), and
 * when every file is resolved: regenerates a conflicted lockfile with the package manager in the install
 * sandbox, commits the merge (parents: the PR's head, the base) inside the PR's scope plus what the base
 * itself changed, checks that exact commit, keeps the old head under refs/pushpals/kept/ and moves the
 * PR's branch by compare-and-swap. A file no strategy resolves ends the job with its hunks and nothing moved.
 */
export async function resolveConflict(input: ResolveConflictInput, ctx: JobContext): Promise<ResolveConflictResult> {
  const { repoRoot } = ctx.paths;
  const { pr } = await ctx.read(routes.getPr, { params: { number: input.prNumber } });
  if (pr.state !== "open") throw new JobFailure("invalid_input", `PR #${pr.number} is ${pr.state}: nothing to resolve`);
  if (pr.baseBranch !== input.baseBranch) throw new JobFailure("invalid_input", `PR #${pr.number} targets ${pr.baseBranch}, not ${input.baseBranch}: the Conflict Resolver merges in the PR's own base only`);
  if (pr.headSha !== input.headSha) throw new JobFailure("conflict", `PR #${pr.number} moved from ${input.headSha.slice(0, 12)} to ${pr.headSha.slice(0, 12)} since this was dispatched: its conflicts are looked at again`);
  const [checks, ours, theirs] = await Promise.all([checksAtBase(repoRoot, input.baseCommit), subjects(repoRoot, input.baseCommit, input.headSha), subjects(repoRoot, input.headSha, input.baseCommit)]);
  const checkout = await jobCheckout(ctx, input.headSha, "resolve");
  let removed = false;
  try {
    ctx.log("system", `$ git merge --no-commit ${input.baseCommit.slice(0, 12)}    # ${input.baseBranch} into PR #${pr.number}`);
    const merge = await mergeInto(checkout, input.baseCommit);
    const files: FileResolution[] = merge.reused.map((path) => ({ path, strategy: "rerere", notes: ["a resolution recorded earlier in this repository, reused by git rerere"], hunks: null }));
    const { outcomes, sides } = await resolveAll(checkout, merge.conflicted);
    await tryStructuredMerge(ctx, outcomes, sides);
    await tryModelMerge(ctx, outcomes, sides, { ours, theirs });
    for (const [path, o] of outcomes) {
      files.push({ path, strategy: o.strategy, notes: o.notes, hunks: o.strategy === "unresolved" ? o.hunks : null });
      ctx.log("system", `${path}: ${o.strategy}${o.notes.length ? ` (${o.notes.join("; ")})` : ""}`);
    }
    const base = { prNumber: pr.number, files, ours, theirs, previousHead: input.headSha };
    if (files.some((f) => f.strategy === "unresolved")) return base;
    if (await isAncestor(repoRoot, input.baseCommit, input.headSha)) {
      ctx.log("system", `PR #${pr.number} already contains ${input.baseBranch} at ${input.baseCommit.slice(0, 12)}: nothing to merge`);
      return base;
    }
    // A clean merge is still made the PR's head: its commits replayed one by one (the merge's rebase) may
    // conflict where the merge does not, and a head that contains the base lands by fast-forward.
    if (merge.conflicted.length === 0 && merge.reused.length === 0) ctx.log("system", `PR #${pr.number} merges ${input.baseBranch} cleanly now: the merge becomes its head`);
    // Never through a link: a conflicted path the PR made a symlink (or a folder leading out) is not written.
    for (const [path, o] of outcomes) if (o.strategy !== "unresolved") restoreFile(checkout.dir, path, o.text);
    await markResolved(checkout, [...outcomes.keys()]);
    const lockfiles = [...outcomes].filter(([, o]) => o.strategy === "lockfile").map(([p]) => p);
    if (lockfiles.length > 0) {
      await ctx.progress({ step: "lockfile" }).catch(() => {});
      await updateLockfile({
        dir: checkout.dir,
        cacheDir: ctx.paths.depsCacheDir,
        settings: checks.install,
        signal: ctx.signal,
        log: (stream, line) => ctx.log(stream, line),
        recordCommand: (report) => ctx.recordCommand(report),
        env: { PUSHPALS_JOB_ID: ctx.job.id },
        sandbox: sandboxFor(ctx, checkout.dir, { network: ctx.sandbox.install_network }),
      });
      // What the package manager ran in is untrusted now: the resolved files are put back as resolved,
      // and nothing but the lockfiles may differ from them.
      for (const [path, o] of outcomes) if (o.strategy === "json" || o.strategy === "changelog" || o.strategy === "structured" || o.strategy === "model") restoreFile(checkout.dir, path, o.text);
      await assertOnlyLockfilesChanged(checkout, lockfiles);
    }
    const unexplained = lockfiles.length > 0 ? await lockfileUnexplained(checkout.dir, lockfiles, sides) : null;
    // A model's merge is never Low: a person approves what it wrote.
    const risk = unexplained ? "high" : files.some((f) => f.strategy === "model") ? maxTier(pr.risk, "medium") : pr.risk;
    if (unexplained) {
      const file = files.find((f) => f.path === unexplained.path);
      if (file) file.notes.push(`High, for a person: ${unexplained.why}`);
      ctx.log("system", `${unexplained.path}: ${unexplained.why}; the resolution is High`);
    }
    const scope = await resolutionScope(repoRoot, pr.scope, input, [...outcomes.keys()]);
    const message = `Merge ${input.baseBranch} into PR #${pr.number}: conflicts resolved\n\n${files.map((f) => `- ${f.path}: ${f.strategy}`).join("\n")}`;
    const committed = await commitWorktree(checkout, {
      rules: { scope, maxFileBytes: MAX_FILE_BYTES },
      message,
      trailers: { "PushPals-Job": ctx.job.id, "PushPals-Risk": risk, "PushPals-Resolves": `#${pr.number}` },
      mergeParents: [input.baseCommit],
    });
    const keptOn = await keepCommit(repoRoot, ctx.job.id, committed.commit);
    await keepCommit(repoRoot, ctx.job.id, input.headSha);
    ctx.log("system", `committed the resolution as ${committed.commit.slice(0, 12)} (${keptOn}); the old head ${input.headSha.slice(0, 12)} stays kept`);
    removeCheckout(checkout);
    removed = true;
    await ctx.progress({ step: "checks", commit: committed.commit }).catch(() => {});
    const checked = await checkCommit(ctx, { commit: committed.commit, ...checks }, { keptOn, tolerateBase: input.baseCommit });
    await failpoint("resolve.before-advance");
    await advancePrBranch(repoRoot, { jobId: ctx.job.id, prNumber: pr.number, branch: pr.headBranch, from: input.headSha, commit: committed.commit });
    await failpoint("resolve.after-advance");
    const changed = await changedFiles(repoRoot, input.baseCommit, committed.commit);
    return {
      ...base,
      pr: {
        title: pr.title,
        body: resolutionBody(pr.body, input, files),
        baseBranch: pr.baseBranch,
        baseSha: input.baseCommit,
        headBranch: pr.headBranch,
        headSha: committed.commit,
        risk,
        role: pr.role,
        scope: pr.scope,
        files: changed,
        checks: checked,
        rfcFor: pr.rfcFor,
        rfc: pr.rfc,
      },
    };
  } finally {
    if (!removed) removeCheckout(checkout);
  }
}

/**
 * Each conflicted file's outcome; its sides, modes and working-tree text are read before anything runs in
 * the checkout. Only regular files are merged: a conflict over a link, a submodule or a file's mode is
 * a person's (a link's "text" is where it points; writing a merge through it would leave the checkout).
 */
async function resolveAll(checkout: JobCheckout, paths: readonly string[]): Promise<{ outcomes: Map<string, FileOutcome>; sides: Map<string, { base: string | null; ours: string | null; theirs: string | null }> }> {
  const out = new Map<string, FileOutcome>();
  const sides = new Map<string, { base: string | null; ours: string | null; theirs: string | null }>();
  const modes = await stageModes(checkout);
  for (const path of paths) {
    const [base, ours, theirs] = await Promise.all([stageText(checkout, 1, path), stageText(checkout, 2, path), stageText(checkout, 3, path)]);
    sides.set(path, { base, ours, theirs });
    const odd = [...(modes.get(path) ?? [])].filter((mode) => mode !== "100644" && mode !== "100755");
    if (odd.length > 0) {
      out.set(path, { strategy: "unresolved", notes: [`a conflict over ${odd.includes("120000") ? "a symbolic link" : odd.includes("160000") ? "a submodule" : `mode ${odd[0]}`}: a person decides`], hunks: null });
      continue;
    }
    let merged: string | null = null;
    // Read as a plain file of the checkout only: never through a link, the file's own or a folder's above it.
    const file = join(checkout.dir, path);
    if (lstatSync(file, { throwIfNoEntry: false })?.isFile() && isInside(realpathSync(checkout.dir), realpathSync(dirname(file)))) merged = readFileSync(file, "utf8");
    out.set(path, resolveFile(path, { base, ours, theirs, merged }));
  }
  return { outcomes: out, sides };
}

function isInside(root: string, dir: string): boolean {
  return dir === root || dir.startsWith(root + sep);
}

/** The modes of each unmerged path's stages (`git ls-files -u`): 100644, 100755, 120000 (a link), 160000 (a submodule). */
async function stageModes(checkout: JobCheckout): Promise<Map<string, Set<string>>> {
  const r = await git(["ls-files", "-u", "-z"], hostGit(checkout));
  const modes = new Map<string, Set<string>>();
  for (const entry of r.stdout.split("\0").filter(Boolean)) {
    const m = /^(\d{6}) [0-9a-f]+ [123]\t(.*)$/s.exec(entry);
    if (m) modes.set(m[2]!, (modes.get(m[2]!) ?? new Set()).add(m[1]!));
  }
  return modes;
}

/**
 * A file git's line merge left conflicted, merged again by the structured merge driver when one is on
 * PATH (mergiraf: it merges by syntax tree, so two changes to one line's different parts, or two
 * functions added at one place, are no conflict), sandboxed; still conflicted, it stays for a person.
 */
async function tryStructuredMerge(ctx: JobContext, outcomes: Map<string, FileOutcome>, sides: ReadonlyMap<string, { base: string | null; ours: string | null; theirs: string | null }>): Promise<void> {
  const pending = [...outcomes].filter(([, o]) => o.strategy === "unresolved" && o.textMerge);
  if (pending.length === 0 || findStructuredDriver() === null) return;
  for (const [path] of pending) {
    const side = sides.get(path);
    if (!side || side.base === null || side.ours === null || side.theirs === null) continue;
    const merged = await structuredMerge(path, { base: side.base, ours: side.ours, theirs: side.theirs }, {
      scratchParent: jobWorktreeDir(ctx.paths, ctx.job.id),
      sandbox: (scratch) => sandboxFor(ctx, scratch, { network: false }),
      signal: ctx.signal,
      log: (line) => ctx.log("system", line),
    }).catch((err: unknown) => {
      if (ctx.signal.aborted) throw err;
      ctx.log("system", `${path}: ${STRUCTURED_DRIVER} could not be run (${err instanceof Error ? err.message : String(err)}): left for the next strategy`);
      return null;
    });
    if (merged !== null) outcomes.set(path, { strategy: "structured", text: merged, notes: [`a syntax-aware merge by ${STRUCTURED_DRIVER}`] });
  }
}

/** After the package manager ran: only the lockfiles may differ from the resolved index, and no new file may appear. */
async function assertOnlyLockfilesChanged(checkout: JobCheckout, lockfiles: readonly string[]): Promise<void> {
  const host = hostGit(checkout);
  const changed = (await git(["diff", "--name-only", "-z"], host)).stdout.split("\0").filter(Boolean);
  const added = (await git(["ls-files", "--others", "--exclude-standard", "-z"], host)).stdout.split("\0").filter(Boolean);
  const stray = [...new Set([...changed, ...added])].filter((p) => !lockfiles.includes(p));
  if (stray.length === 0) return;
  throw new JobFailure("policy_denied", `regenerating the lockfile also changed ${stray.slice(0, 10).join(", ")}${stray.length > 10 ? ", ..." : ""}: a resolution changes only the lockfile beyond the resolved files; nothing was committed`, { paths: stray.slice(0, 1000) });
}

/**
 * What the merge commit may change against the PR's head: the PR's own scope, every file the base
 * changed since the two diverged (they arrive as the base has them), and the resolved files.
 */
async function resolutionScope(repoRoot: string, prScope: readonly string[], input: ResolveConflictInput, resolved: readonly string[]): Promise<string[]> {
  const fromBase = await git(["diff", "--name-only", "-z", "--no-renames", `${input.headSha}...${input.baseCommit}`], { cwd: repoRoot });
  const paths = [...new Set([...fromBase.stdout.split("\0").filter(Boolean), ...resolved])].map(literalGlob);
  const scope = [...new Set([...prScope, ...paths])];
  if (scope.length > MAX_SCOPE) {
    throw new JobFailure("invalid_input", `the base changed ${paths.length} files since PR #${input.prNumber} was made, more than a resolution's scope holds (${MAX_SCOPE}): rebase it by hand`);
  }
  return scope;
}

async function subjects(repoRoot: string, from: string, to: string): Promise<string[]> {
  const r = await git(["log", "--format=%s", "-n", "50", `${from}..${to}`], { cwd: repoRoot, allowFailure: true });
  return r.stdout.split("\n").filter(Boolean).map((s) => s.slice(0, 300));
}

/** The PR's files against its new base, as a PR lists them. */
async function changedFiles(repoRoot: string, from: string, to: string): Promise<{ path: string; status: ChangeStatus; oldPath?: string }[]> {
  const r = await git(["diff", "--raw", "-z", "--no-abbrev", "-M", from, to], { cwd: repoRoot });
  return parseRawDiff(r.stdout).map((f) => ({ path: f.path, status: f.status, ...(f.oldPath ? { oldPath: f.oldPath } : {}) }));
}
