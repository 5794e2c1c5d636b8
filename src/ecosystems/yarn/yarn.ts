import { defineEcosystem, type InstallCommand, type InstallOptions } from "../common/api.ts";
import { majorVersion, NODE_VERSION_COMMAND, PACKAGE_JSON, scriptRunner } from "../common/package-json.ts";
import { yarnImpliedRange, yarnPackage } from "./yarn-version.ts";

export const yarn = defineEcosystem({
  id: "yarn",
  lockfiles: ["yarn.lock"],
  loadLockfileParser: async () => (await import("./yarn-lockfile.ts")).parseYarnLockfile,
  manifests: [PACKAGE_JSON],
  detect: { packageManagerField: "yarn" },
  frozenInstall,
  // Yarn 1 has no lockfile-only mode: the nearest is an install that runs no scripts.
  lockfileUpdate,
  versionCommand: "yarn --version",
  runtimeVersionCommand: NODE_VERSION_COMMAND,
  runScript: scriptRunner("yarn", { testSubcommand: true }),
  setupHint: 'pin it in package.json ("packageManager": "yarn@<version>"), or commit your Yarn release (yarnPath): PushPals then fetches the Yarn it needs from your npm registry',
  provision: { npmPackage: yarnPackage, entry: { nodeBin: "yarn" }, impliedRange: yarnImpliedRange },
  runsCommittedCode: true,
});

/**
 * Yarn 1 takes `--frozen-lockfile --ignore-scripts`; Yarn 2+ (berry) `--immutable`, and skips builds with `--mode=skip-build`.
 * Yarn 2+ keeps the package archives in the checkout's own cache (`.yarn/cache`), not the global one: that
 * is under the install sandbox's HOME, gone when the install ends, and Plug'n'Play loads every package from
 * its archive, so the checks' `.pnp.cjs` would point at nothing.
 */
function frozenInstall({ version, allowScripts }: InstallOptions): InstallCommand {
  if (isClassic(version)) return { command: ["yarn", "install", "--frozen-lockfile", "--non-interactive", ...(allowScripts ? [] : ["--ignore-scripts"])].join(" "), env: {} };
  const env = { YARN_ENABLE_GLOBAL_CACHE: "false" };
  if (allowScripts) return { command: "yarn install --immutable", env };
  return { command: "yarn install --immutable --mode=skip-build", env: { ...env, YARN_ENABLE_SCRIPTS: "false" } };
}

/** Yarn 2+ is immutable under CI=true unless told otherwise; `update-lockfile` fetches and links nothing. */
function lockfileUpdate(version: string): InstallCommand {
  if (isClassic(version)) return { command: "yarn install --non-interactive --ignore-scripts --no-frozen-lockfile", env: {} };
  return { command: "yarn install --mode=update-lockfile", env: { YARN_ENABLE_GLOBAL_CACHE: "false", YARN_ENABLE_IMMUTABLE_INSTALLS: "false", YARN_ENABLE_SCRIPTS: "false" } };
}

/** Yarn 1 ("classic"); a version that does not parse counts as 1. */
function isClassic(version: string): boolean {
  return majorVersion(version, 1) < 2;
}
