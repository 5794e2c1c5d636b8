import { join } from "node:path";
import { loadPolicyAt } from "../../policy/load-policy-at.ts";
import { readNpmConfigSources } from "../../registry/registry-config.ts";
import { removeCheckout } from "../../scm/worktree.ts";
import type { DepsScan } from "../../sources/dependency-updates/deps-scan-result.ts";
import { scanDependencies } from "../../updates/scan-dependencies.ts";
import { configAt } from "../common/checks-at-base.ts";
import type { JobContext } from "../common/job-context.ts";
import { jobCheckout } from "../common/job-worktree.ts";
import type { DepsScanInput } from "./deps-scan-input.ts";

/** The registry documents' ETag cache, beside the dependency cache in the runtime directory. */
export const REGISTRY_CACHE_DIR = "registry-cache";

/** Scans a fresh checkout of the commit under the policy and steward settings committed there. */
export async function scanBranchDependencies(input: DepsScanInput, ctx: JobContext): Promise<DepsScan> {
  const [config, loaded] = await Promise.all([configAt(ctx.paths.repoRoot, input.commit, "its [dependency_steward] settings"), loadPolicyAt(ctx.paths.repoRoot, input.commit)]);
  const checkout = await jobCheckout(ctx, input.commit, "scan");
  try {
    ctx.log("system", `dependency scan of ${input.branch} at ${input.commit.slice(0, 12)}`);
    const scan = await scanDependencies({
      dir: checkout.dir,
      npmConfig: readNpmConfigSources(checkout.dir, process.env),
      cacheDir: join(ctx.paths.runtimeDir, REGISTRY_CACHE_DIR),
      policy: loaded.policy,
      settings: config.dependency_steward,
      now: new Date(),
      signal: ctx.signal,
      log: (line) => ctx.log("system", line),
      // The result travels in one request body: keep it well inside what the server accepts.
      maxBytes: Math.floor(ctx.config.server.max_body_bytes / 2),
    });
    const updates = scan.groups.reduce((n, g) => n + g.updates.length, 0);
    ctx.log("system", `${scan.detected.length} dependencies in ${scan.manifests.length} manifest(s); ${updates} update(s) in ${scan.groups.length} group(s); ${scan.passedOver.length} passed over${scan.complete ? "" : " (incomplete: nothing closes)"}`);
    return { branch: input.branch, commit: input.commit, ...scan };
  } finally {
    removeCheckout(checkout);
  }
}
