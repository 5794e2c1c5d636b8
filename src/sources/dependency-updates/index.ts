import type { WorkSourceDefinition } from "../common/work-source.ts";
import { DEPENDENCY_UPDATE_TYPE } from "./deps-scan-result.ts";

/**
 * Dependency updates: a `deps-scan` of the base branch (every dependency_steward.scan_every_seconds, or
 * `pushpals deps scan`) files each PR-sized group of updates the policy allows as an item of the backlog;
 * a security fix outranks the routine ones.
 */
export const dependencyUpdatesSource: WorkSourceDefinition = {
  id: "backlog",
  summary: "dependency updates: a scan of the base branch's manifests against the registry (dependency_steward.scan_every_seconds, `pushpals deps scan`)",
  itemTypes: [DEPENDENCY_UPDATE_TYPE],
};
