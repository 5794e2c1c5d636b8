import { basename, dirname } from "node:path";
import { ancestorToHide } from "./checkout-ancestors.ts";
import { resolveSandboxSpec } from "./resolve-spec.ts";
import type { SandboxSettings } from "./sandbox-settings.ts";
import type { ReadOnlyMount, SandboxSpec } from "./sandbox-spec.ts";

/** The `sandbox` option of `runCommand`: a spec, or "off" only when the worker's `sandbox.mode` is "off". */
export type CommandSandbox = SandboxSpec | "off";

/** Where the repository's files live (the runtime paths satisfy it): what a job's command must not see, and the git directory it reads. */
export interface SandboxPaths {
  readonly repoRoot: string;
  readonly runtimeDir: string;
  readonly gitCommonDir: string;
  /** The people's socket's directory, inside the git directory: hidden, so no command can approve as the user. */
  readonly peopleDir: string;
}

/**
 * The sandbox for a job's command in its checkout `dir`: only `dir` writable; the main checkout, the
 * repository's git directory (config, index, refs, stash, every object), the runtime directory
 * (database, API socket, credential key, other jobs' checkouts, dependency cache) and the people's
 * socket and the homes hidden. Git works on the checkout's own minimal `.git`. `network` is the
 * caller's grant: `sandbox.network` for a job kind, `sandbox.install_network` for dependency installs;
 * `mounts` are the checkout's cached dependencies, read-only.
 */
export function sandboxFor(
  ctx: { readonly sandbox: SandboxSettings; readonly paths: SandboxPaths; readonly config?: { readonly models: { readonly api_key_file: string | null } } },
  dir: string,
  grant: { network: boolean; mounts?: ReadOnlyMount[] },
): CommandSandbox {
  if (ctx.sandbox.mode === "off") return "off";
  // A linked worktree's main checkout holds the git directory (`<main>/.git`): hidden too, with what is above it.
  const main = basename(ctx.paths.gitCommonDir) === ".git" ? dirname(ctx.paths.gitCommonDir) : ctx.paths.repoRoot;
  return resolveSandboxSpec({
    writableDir: dir,
    network: grant.network,
    settings: ctx.sandbox,
    // Above the checkout too: tools that search parent directories must find nothing of the user's there.
    hide: [
      ancestorToHide(ctx.paths.repoRoot),
      ancestorToHide(main),
      ctx.paths.repoRoot,
      main,
      ctx.paths.gitCommonDir,
      ctx.paths.runtimeDir,
      ctx.paths.peopleDir,
    ].filter((d): d is string => d !== null),
    mounts: grant.mounts,
    // The model key's file, wherever the user keeps it (the homes are hidden already): never readable by a command.
    hideFiles: ctx.config?.models.api_key_file ? [ctx.config.models.api_key_file] : [],
  });
}
