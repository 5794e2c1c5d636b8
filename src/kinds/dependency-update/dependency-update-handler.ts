import { join } from "node:path";
import { maxTier } from "../../core/risk-tier.ts";
import { JobFailure } from "../../core/job-failure.ts";
import { planInstall } from "../../deps/installers.ts";
import type { PrepareOptions } from "../../deps/prepare.ts";
import { planLockfileUpdate, runLockfileUpdate } from "../../deps/update-lockfile.ts";
import { MAX_LOCKFILE_BYTES } from "../../ecosystems/common/lockfile.ts";
import { DEPENDENCY_ROLE } from "../../policy/policy-defaults.ts";
import { readNpmConfigSources } from "../../registry/registry-config.ts";
import { sandboxFor } from "../../sandbox/sandbox-for.ts";
import { removeCheckout } from "../../scm/worktree.ts";
import { carryPinnedSelectors, readManifests, restoreFile, writeRanges } from "../../updates/apply-ranges.ts";
import { CheckoutFiles } from "../../updates/checkout-files.ts";
import { extractDependencies } from "../../updates/extract.ts";
import { lockfileFindings, type LockfileFindings } from "../../updates/verify-lockfile.ts";
import { updatePrBody } from "../../updates/update-pr-body.ts";
import { configAt, checksAtBase } from "../common/checks-at-base.ts";
import type { JobContext } from "../common/job-context.ts";
import { jobCheckout } from "../common/job-worktree.ts";
import { proposeChange } from "../common/propose-change.ts";
import { REGISTRY_CACHE_DIR } from "../deps-scan/deps-scan-handler.ts";
import type { DependencyUpdateInput, DependencyUpdateResult } from "./dependency-update-input.ts";
import { releaseNotesFor } from "./update-release-notes.ts";

/**
 * The update, in a fresh checkout of the base commit: each manifest's ranges set to exactly the planned
 * versions and the lockfile regenerated (so nothing newer than the plan, e.g. a version too young for
 * the policy, is locked), then the final ranges written and the lockfile brought in line again (the
 * locked versions satisfy them, so it keeps them). Then verified: every updated package is locked at
 * its planned version, and every other lockfile change is a dependency of one (anything else makes the
 * PR High and is listed in it). The release notes come from the registry, host-side, with the npm
 * configuration read before any command ran in the checkout.
 */
export async function updateDependencies(input: DependencyUpdateInput, ctx: JobContext): Promise<DependencyUpdateResult> {
  const { repoRoot } = ctx.paths;
  const [checks, config] = await Promise.all([checksAtBase(repoRoot, input.baseCommit), configAt(repoRoot, input.baseCommit, "its [dependency_steward] settings")]);
  const checkout = await jobCheckout(ctx, input.baseCommit);
  try {
    const dir = checkout.dir;
    // Everything read from the checkout as committed comes first: after the package manager ran, its files are untrusted.
    const npmConfig = readNpmConfigSources(dir, process.env);
    const committed = readManifests(dir, input.group.updates);
    const committedNpmrc = readCommitted(dir, ".npmrc");
    // A repository that skips installs for its checks still has its lockfile kept by its own package manager.
    const settings = checks.install.packageManager === "none" ? { ...checks.install, packageManager: "auto" as const } : checks.install;
    const planned = planInstall(dir, settings);
    const lockfile = "plan" in planned ? planned.plan.lockfile : null;
    const before = lockfile ? readLockfile(dir, lockfile) : null;

    await ctx.progress({ step: "manifests" }).catch(() => {});
    const prepare: PrepareOptions = {
      dir,
      cacheDir: ctx.paths.depsCacheDir,
      settings,
      signal: ctx.signal,
      log: (stream, line) => ctx.log(stream, line),
      recordCommand: (report) => ctx.recordCommand(report),
      env: { PUSHPALS_JOB_ID: ctx.job.id },
      sandbox: sandboxFor(ctx, dir, { network: ctx.sandbox.install_network }),
    };
    const lockfilePlan = await planLockfileUpdate(prepare);
    writeRanges(dir, committed, input.group.updates, "pinned");
    ctx.log("system", `dependencies: ${input.group.updates.length} update(s) pinned to their planned versions; regenerating the lockfile`);
    const updated = await runLockfileUpdate(lockfilePlan, prepare);
    const pinnedIsFinal = input.group.updates.every((u) => u.newRange === u.to);
    writeRanges(dir, committed, input.group.updates, "final");
    if (!pinnedIsFinal && updated.lockfile) {
      // Yarn resolves a selector its lockfile lacks to the newest version in range, not the one just locked.
      if (updated.packageManager === "yarn") carryPinnedSelectors(dir, updated.lockfile, input.group.updates);
      // What the first run left is untrusted: the committed .npmrc again, not one it wrote.
      restoreFile(dir, ".npmrc", committedNpmrc);
      await runLockfileUpdate(lockfilePlan, prepare);
      // The manifests ship as committed plus the ranges, whatever the second run wrote into them.
      writeRanges(dir, committed, input.group.updates, "final");
    }

    await ctx.progress({ step: "verify" }).catch(() => {});
    const findings = updated.lockfile ? await verifyLockfile(dir, input, updated.lockfile, before) : { outOfScope: [], redirects: [] };
    const flagged = findings.outOfScope.length + findings.redirects.length > 0;
    const risk = flagged ? maxTier(input.risk, "high") : input.risk;
    const tierWhy = flagged ? "the regenerated lockfile changed more than this update explains (listed below)" : `the highest of its updates under the policy's [dependencies.tiers] (${[...new Set(input.group.updates.map((u) => `${u.updateType}: ${u.tier}`))].join(", ")})`;

    const notes = await releaseNotesFor(input.group.updates, {
      npmConfig,
      cacheDir: join(ctx.paths.runtimeDir, REGISTRY_CACHE_DIR),
      signal: ctx.signal,
      log: (line) => ctx.log("system", line),
      github: ctx.config.pr.provider === "github" ? { apiUrl: ctx.config.github.api_url } : undefined,
    });
    const title = `${config.dependency_steward.commit_prefix} ${input.title}`.trim().slice(0, 200);
    const body = updatePrBody({ task: input.body, group: input.group, lockfile: updated.lockfile, notes, outOfScope: findings.outOfScope, redirects: findings.redirects, tier: risk, tierWhy });
    const message = `${title}\n\n${input.group.updates.map((u) => `- ${u.name} ${u.from} -> ${u.to} (${u.manifestPath})`).join("\n")}`;
    const pr = await proposeChange(ctx, checkout, {
      title,
      body,
      message,
      scope: input.scope,
      maxFileBytes: input.maxFileBytes,
      risk,
      role: DEPENDENCY_ROLE,
      baseBranch: input.baseBranch,
      baseCommit: input.baseCommit,
      rfcFor: null,
      rfc: input.rfc,
      updatePr: null,
      checks,
      trailers: { "PushPals-Dependency-Group": input.group.key },
    });
    return { pr };
  } finally {
    removeCheckout(checkout);
  }
}

/** A committed file's text before any command ran (null: absent or unreadable, then it is removed before the second run). */
function readCommitted(dir: string, path: string): string | null {
  const read = new CheckoutFiles(dir).read(path, 1024 * 1024);
  return read.ok ? read.text : null;
}

function readLockfile(dir: string, path: string): string | null {
  const read = new CheckoutFiles(dir).read(path, MAX_LOCKFILE_BYTES);
  if (read.ok) return read.text;
  if (read.missing) return null;
  throw new JobFailure("invalid_input", `${read.why}: the lockfile cannot be read, so what the update changes in it cannot be checked`, {});
}

/** Each update locked at its planned version (else the job fails: the package manager resolved something else), and what else changed in the lockfile. */
async function verifyLockfile(dir: string, input: DependencyUpdateInput, lockfile: string, before: string | null): Promise<LockfileFindings> {
  const extraction = await extractDependencies(dir);
  const wrong = input.group.updates.flatMap((u) => {
    const found = extraction.dependencies.find((d) => d.manifestPath === u.manifestPath && d.name === u.name && d.type === u.type);
    return found?.lockedVersion === u.to ? [] : [`${u.name} in ${u.manifestPath}: locked ${found?.lockedVersion ?? "nothing"}, planned ${u.to}`];
  });
  if (wrong.length > 0) {
    throw new JobFailure("invalid_input", `the package manager did not lock the planned versions (${wrong.slice(0, 5).join("; ")}): the update conflicts with another range in the repository; nothing was committed`, { logExcerpt: wrong.join("\n") });
  }
  const after = readLockfile(dir, lockfile);
  if (after === null) throw new JobFailure("invalid_input", `the package manager left no ${lockfile}: nothing was committed`, {});
  try {
    return await lockfileFindings(lockfile, before, after, input.group.updates.map((u) => u.name));
  } catch (err) {
    throw new JobFailure("invalid_input", `${lockfile} does not parse after the update (${(err as Error).message}): nothing was committed`, {});
  }
}
