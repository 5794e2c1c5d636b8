import { defineKind } from "../common/define-kind.ts";
import { LockfileSyncInput, LockfileSyncResult } from "./lockfile-sync-input.ts";

/**
 * `lockfile-sync`: the CI Medic's repair of a lockfile out of sync with its manifests: regenerated in the
 * install sandbox (registries only, scripts off, lockfile-only), nothing else changed, the frozen install
 * of the checks passing on the exact commit, proposed as a PR.
 */
export const lockfileSyncKind = defineKind({
  id: "lockfile-sync",
  summary: "regenerate a lockfile its frozen install refuses, from the committed manifests, as a PR",
  input: LockfileSyncInput,
  result: LockfileSyncResult,
  createdBy: "server",
  role: "worker",
  network: false,
  handler: async (input, ctx) => (await import("./lockfile-sync-handler.ts")).syncLockfile(input, ctx),
  effects(ctx, job, { prs }) {
    if (job.state === "succeeded") prs.open(ctx, job);
  },
});
