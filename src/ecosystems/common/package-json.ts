/** What the package.json ecosystems (npm, pnpm, Yarn, Bun) share: the manifest and its format. */
export const PACKAGE_JSON = "package.json";

export const DEPENDENCY_SECTIONS = ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"] as const;

/**
 * The fields of a manifest (the root's or a workspace package's) that decide what an install resolves
 * and links: what to install (the dependency sections, which workspaces), replacements and patches
 * (npm `overrides`, Yarn and pnpm `resolutions`, the `pnpm` settings, Bun `patchedDependencies`), per-dependency
 * settings (optional peers, pnpm/Yarn `dependenciesMeta`, Bun `trustedDependencies`), and what may refuse
 * it (`engines` under engine-strict, `packageManager`). Package managers write them into their lockfiles
 * and refuse a frozen install when they no longer match it. Fields outside the list (`description`,
 * `main`, the other scripts) never change an install.
 */
export const INSTALL_FIELDS = [
  ...DEPENDENCY_SECTIONS,
  "peerDependenciesMeta",
  "bundleDependencies",
  "bundledDependencies",
  "overrides",
  "resolutions",
  "pnpm",
  "dependenciesMeta",
  "patchedDependencies",
  "trustedDependencies",
  "workspaces",
  "packageManager",
  "engines",
] as const;

/** A package's own name and version: recorded in lockfiles beside the install fields. */
export const PACKAGE_IDENTITY_FIELDS = ["name", "version"] as const;

/** Fields whose change makes a package manager rewrite its lockfile. */
export const LOCKFILE_FIELDS = [...INSTALL_FIELDS, ...PACKAGE_IDENTITY_FIELDS] as const;

/** What a workspace package adds to the install: the name and version others link it by, and its linked bins. */
export const WORKSPACE_PACKAGE_FIELDS = [...PACKAGE_IDENTITY_FIELDS, "bin"] as const;

/**
 * The lifecycle scripts of the root and workspace packages that an install runs when scripts are on:
 * npm's install and prepare steps (and `dependencies`, after node_modules changed), pnpm's
 * `pnpm:devPreinstall`; Yarn and Bun run a subset of the same names.
 */
export const INSTALL_SCRIPTS = ["preinstall", "install", "postinstall", "prepublish", "preprepare", "prepare", "postprepare", "dependencies", "pnpm:devPreinstall"] as const;

/** Node's version goes into the dependency cache key for all of them (native addons are built for it). */
export const NODE_VERSION_COMMAND = "node --version";

/**
 * `<pm> test` runs the "test" script and `<pm> run <script>` any other; for package managers whose
 * `test` subcommand is something else (Bun's own test runner) pass `testSubcommand: false`.
 */
export function scriptRunner(pm: string, { testSubcommand }: { testSubcommand: boolean }): (script: string) => string {
  return (script) => (script === "test" && testSubcommand ? `${pm} test` : `${pm} run ${script}`);
}

/** The major version of a version string ("4.5.0" -> 4); `fallback` when it does not start with one. */
export function majorVersion(version: string, fallback: number): number {
  return Number(/^(\d+)\./.exec(version)?.[1] ?? fallback);
}
