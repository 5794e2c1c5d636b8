/** What the package.json ecosystems (npm, pnpm, Yarn, Bun) share: the manifest and its format. */
export const PACKAGE_JSON = "package.json";

export const DEPENDENCY_SECTIONS = ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"] as const;

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
