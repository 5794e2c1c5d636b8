import { PushpalsError } from "../../core/errors.ts";
import { maxTier } from "../../core/risk-tier.ts";
import { SPECIALIST_ROLES } from "../../policy/policy-defaults.ts";
import type { PullRequest } from "../../prs/pr-types.ts";
import type { RevertInput } from "./revert-input.ts";

/** The role a person's change gets when they name none (`pushpals run`'s default). */
const ORDINARY_ROLE = "codemod";
const MAX_SCOPE = 64;
const MAX_GLOB = 512;

/** One revert of a PR at a time: asking again finds the same job. */
export function revertDedupeKey(number: number): string {
  return `revert:${number}`;
}

/** What a local merge recorded: the exact commits it moved the base branch by. */
export interface LandedRange {
  mergedSha: string;
  previousBaseSha: string;
}

/**
 * A PR PushPals can revert: merged, with the range its local merge moved the base by. A PR merged on
 * a remote provider has no such record (the host merged it; the local base moves with the next fetch).
 */
export function landedRange(pr: PullRequest): LandedRange {
  if (pr.state !== "merged") {
    throw new PushpalsError("conflict", `PR #${pr.number} is ${pr.state}: only a merged PR can be reverted`, {
      hint: pr.state === "open" ? `nothing of it has landed; close it instead: pushpals pr close ${pr.number}` : "nothing of it landed",
      details: { reason: "not_merged", state: pr.state },
    });
  }
  const previousBaseSha = pr.merge?.previousBaseSha ?? null;
  if (!pr.merge || !previousBaseSha) {
    const where = pr.remote ? `${pr.remote.provider} (${pr.remote.url})` : "a remote provider";
    throw new PushpalsError("conflict", `PR #${pr.number} was merged on ${where}, so PushPals has no local merge record of the commits it landed on ${pr.baseBranch}: there is no exact range to revert`, {
      hint: `revert it where it was merged (the host's own revert opens a PR there), or fetch ${pr.baseBranch} and revert ${pr.merge?.mergedSha.slice(0, 12) ?? "its merge commit"} as a change of your own`,
      details: { reason: "no_local_merge", provider: pr.provider },
    });
  }
  return { mergedSha: pr.merge.mergedSha, previousBaseSha };
}

/** A path as a glob that matches only itself (Bun.Glob's escapes). */
export function literalGlob(path: string): string {
  return path.replace(/[\\*?[\]{}()!]/g, "\\$&");
}

/**
 * The revert's write scope: the files the PR changed (both sides of a rename), literally; a PR with
 * more than a scope holds falls back to the scope it was made with.
 */
export function revertScope(pr: PullRequest): string[] {
  const paths = [...new Set(pr.files.flatMap((f) => (f.oldPath ? [f.path, f.oldPath] : [f.path])))].map(literalGlob);
  if (paths.length === 0 || paths.length > MAX_SCOPE || paths.some((p) => p.length > MAX_GLOB)) return pr.scope;
  return paths;
}

/**
 * A client cannot give a change a specialist's role (`admitRun`): the rules trust that role (the
 * dependency role changes lockfiles alone), and a person asked for this revert. It gets the ordinary role.
 */
export function revertRole(pr: PullRequest): string {
  return pr.role && !SPECIALIST_ROLES.includes(pr.role) ? pr.role : ORDINARY_ROLE;
}

/** The `revert` job's input, from the PR record only, made on `baseCommit` (the base branch's head now). */
export function revertInputFor(pr: PullRequest, baseCommit: string): RevertInput {
  const { mergedSha, previousBaseSha } = landedRange(pr);
  const range = `${previousBaseSha}..${mergedSha}`;
  const body = [
    `Reverts PR #${pr.number} (${JSON.stringify(pr.title)}), merged into ${pr.baseBranch} as ${mergedSha}.`,
    `Revert range: ${range}, the commits that merge moved ${pr.baseBranch} by, undone with \`git revert --no-commit ${range}\` on ${pr.baseBranch} at ${baseCommit}.`,
  ].join("\n\n");
  return {
    prNumber: pr.number,
    mergedSha,
    previousBaseSha,
    title: `Revert #${pr.number}: ${pr.title}`.slice(0, 200),
    body,
    baseBranch: pr.baseBranch,
    baseCommit,
    scope: revertScope(pr),
    // At least the tier the original was classified at: undoing a change touches what it touched.
    risk: maxTier(pr.risk, pr.classification?.tier ?? pr.risk),
    role: revertRole(pr),
    rfc: pr.rfc,
    culprit: null,
  };
}
