import { DepsScan } from "../../sources/dependency-updates/deps-scan-result.ts";
import { verifyOnBranch } from "../checks/verify-branch.ts";
import { defineKind } from "../common/define-kind.ts";
import { DepsScanInput } from "./deps-scan-input.ts";

/** The scan's dedupe key: one at a time (a client's other jobs cannot take it, see SERVER_DEDUPE_PREFIXES). */
export const DEPS_SCAN_KEY = "deps-scan";

/**
 * `deps-scan`: the Dependency Steward's look at a branch. A WorkerPal reads the commit's manifests and
 * lockfile as data, asks the registry (the user's npm configuration, host-side: no credential enters a
 * sandbox) for each package's document and the installed versions' advisories, and plans and groups the
 * updates under the policy and the `[dependency_steward]` settings committed at that commit. Its success
 * files the groups as work items in the success's transaction. Anyone on the owner's socket may ask (the
 * RemoteAgent does every dependency_steward.scan_every_seconds; `pushpals deps scan`).
 */
export const depsScanKind = defineKind({
  id: "deps-scan",
  summary: "read a branch's dependencies, ask the registry for updates and advisories, and file the allowed ones as grouped work items",
  input: DepsScanInput,
  result: DepsScan,
  createdBy: "client",
  role: "worker",
  // No command of it runs: the WorkerPal itself talks to the registry.
  network: false,
  handler: async (input, ctx) => (await import("./deps-scan-handler.ts")).scanBranchDependencies(input, ctx),
  admit: () => ({ dedupeKey: DEPS_SCAN_KEY }),
  verify: (input, repo) => verifyOnBranch(repo.repoRoot, input.commit, input.branch),
  // Server-side only, so loaded on first use: a WorkerPal never loads the item planning (nor semver).
  effects(ctx, job, { prs }) {
    (require("../../sources/dependency-updates/dependency-items.ts") as typeof import("../../sources/dependency-updates/dependency-items.ts")).recordDependencyScan(ctx, job, prs);
  },
});
