import { resolve } from "node:path";
import { ApiClient } from "../client/api-client.ts";
import type { EffectiveConfig } from "../config/load.ts";
import type { PushpalsConfig } from "../config/schema.ts";
import { runtimePathsFor, type RuntimePaths } from "../runtime-dir/paths.ts";
import { locateRepository } from "../scm/repository.ts";

/** What every PushPals process starts from: its repository's runtime paths, its effective config, the API. */
export interface ProcessContext {
  paths: RuntimePaths;
  /** The effective config (file < local override < env), read when first asked for. */
  config: () => PushpalsConfig;
  effectiveConfig: () => EffectiveConfig;
  client: ApiClient;
}

/** The context of the repository that holds `repo` (default: `$PUSHPALS_REPO`, else the current folder). */
export async function processContext(repo?: string): Promise<ProcessContext> {
  const cwd = resolve(repo ?? process.env.PUSHPALS_REPO ?? process.cwd());
  const located = await locateRepository(cwd);
  const paths = runtimePathsFor(located.repoRoot, located.gitCommonDir);
  let effective: EffectiveConfig | null = null;
  const effectiveConfig = () => {
    if (effective) return effective;
    // Loaded when first read: a command that never reads the config (`status`) never pays for its schemas.
    const { loadEffectiveConfig } = require("../config/load.ts") as typeof import("../config/load.ts");
    const { assertConfigKinds } = require("../kinds/registry.ts") as typeof import("../kinds/registry.ts");
    const loaded = loadEffectiveConfig({ repoRoot: paths.repoRoot, runtimeDir: paths.runtimeDir, env: process.env });
    assertConfigKinds(loaded);
    return (effective = loaded);
  };
  return {
    paths,
    config: () => effectiveConfig().config,
    effectiveConfig,
    client: new ApiClient({ serverFile: paths.serverFile, serverLock: paths.serverLock, peopleSocket: paths.peopleSocket }),
  };
}
