import type { InstallSettings } from "../config/check-settings.ts";
import type { PullRequest } from "./pr-types.ts";

export interface ChecksToRun {
  checks: { commands: { name: string; run: string }[]; timeoutSeconds?: number };
  install?: InstallSettings;
}

/** One merge at a time per PR head: a new head gets its own merge job. */
export function mergeDedupeKey(pr: Pick<PullRequest, "number" | "headSha">): string {
  return `merge:${pr.number}:${pr.headSha}`;
}

/** A `merge` job's input for the PR's current head: what a person (or auto-merge) asks to land, exactly. */
export function mergeInputFor(pr: PullRequest, toRun: ChecksToRun) {
  return {
    prNumber: pr.number,
    headSha: pr.headSha,
    baseSha: pr.baseSha,
    baseBranch: pr.baseBranch,
    headBranch: pr.headBranch,
    title: pr.title,
    body: pr.body,
    headChecks: pr.checks,
    remote: pr.remote ? { provider: pr.remote.provider, number: pr.remote.number, pushedSha: pr.remote.pushedSha } : null,
    ...toRun,
  };
}
