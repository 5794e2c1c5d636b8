import { defineKind } from "../common/define-kind.ts";
import { DependencyUpdateInput, DependencyUpdateResult } from "./dependency-update-input.ts";

/** The Dependency Steward's update: a group of dependency updates as one checked PR (its success opens it). */
export const dependencyUpdateKind = defineKind({
  id: "dependency-update",
  summary: "update a group of dependencies: edit the manifests' ranges, regenerate the lockfile in the sandbox, check, propose as a PR",
  input: DependencyUpdateInput,
  result: DependencyUpdateResult,
  createdBy: "server",
  role: "worker",
  // Its package manager reaches the registries through the install sandbox's egress proxy (sandbox.install_network).
  network: false,
  handler: async (input, ctx) => (await import("./dependency-update-handler.ts")).updateDependencies(input, ctx),
  effects(ctx, job, { prs }) {
    if (job.state === "succeeded") prs.open(ctx, job);
  },
});
