import type { InstallSettings } from "../../config/check-settings.ts";
import { sandboxFor } from "../../sandbox/sandbox-for.ts";
import type { JobContext } from "./job-context.ts";
import { prepareDependencies } from "../../deps/prepare.ts";

/**
 * Frozen-lockfile install (or the cached one) for a fresh checkout, in the sandbox with the install
 * network grant. Its `mounts` go to every later command in that checkout.
 */
export async function prepareWorktreeDependencies(ctx: JobContext, dir: string, install: InstallSettings | undefined) {
  return prepareDependencies({
    dir,
    cacheDir: ctx.paths.depsCacheDir,
    cacheMaxMb: ctx.config.install.cache_max_mb,
    settings: install,
    signal: ctx.signal,
    log: (stream, line) => ctx.log(stream, line),
    recordCommand: (report) => ctx.recordCommand(report),
    env: { PUSHPALS_JOB_ID: ctx.job.id },
    sandbox: sandboxFor(ctx, dir, { network: ctx.sandbox.install_network }),
  });
}
