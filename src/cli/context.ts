import { resolve } from "node:path";
import { ApiClient } from "../client/api-client.ts";
import { loadEffectiveConfig, type EffectiveConfig } from "../config/load.ts";
import type { PushpalsConfig } from "../config/schema.ts";
import { assertConfigKinds } from "../kinds/registry.ts";
import { runtimePathsFor, type RuntimePaths } from "../runtime-dir/paths.ts";
import { locateRepository } from "../scm/repository.ts";
import { personOf } from "../identity/os-users.ts";

export interface CliContext {
  paths: RuntimePaths;
  /** The effective config (file < local override < env), read when first asked for. */
  config: () => PushpalsConfig;
  effectiveConfig: () => EffectiveConfig;
  client: ApiClient;
  /** Who this process is to the server (`os:alice`, from the uid, never `$USER`): for messages, and for `start --clean`, which writes with no server. */
  actor: string;
}

export interface GlobalOptions {
  repo?: string;
}

export async function cliContext(options: GlobalOptions): Promise<CliContext> {
  const cwd = resolve(options.repo ?? process.env.PUSHPALS_REPO ?? process.cwd());
  const repo = await locateRepository(cwd);
  const paths = runtimePathsFor(repo.repoRoot, repo.gitCommonDir);
  let effective: EffectiveConfig | null = null;
  const effectiveConfig = () => {
    if (effective) return effective;
    const loaded = loadEffectiveConfig({ repoRoot: paths.repoRoot, runtimeDir: paths.runtimeDir, env: process.env });
    assertConfigKinds(loaded);
    return (effective = loaded);
  };
  return {
    paths,
    config: () => effectiveConfig().config,
    effectiveConfig,
    client: new ApiClient({ serverFile: paths.serverFile, serverLock: paths.serverLock, peopleSocket: paths.peopleSocket }),
    actor: personOf(process.getuid?.() ?? -1),
  };
}
