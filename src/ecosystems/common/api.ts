import type { LockedPackage } from "./lockfile.ts";

/**
 * Reads one of an ecosystem's lockfiles (`fileName`: the base name, one of `lockfiles`) into the packages it pins.
 * Throws `LockfileError` when it does not parse: callers treat that as unverifiable, never as unchanged.
 */
export type LockfileParser = (text: string, fileName: string) => LockedPackage[];

/** A package manager as a plug-in: everything PushPals knows about it, read by detection, installs, policy and review. */
export interface Ecosystem<Id extends string = string> {
  /** The value of `install.package_manager` that selects it, and the command that runs it. */
  id: Id;
  /** The lockfiles it installs from, preferred first: the first is the one to commit. */
  lockfiles: readonly string[];
  /**
   * Imports its lockfile reader (a dynamic `import()`: some need a YAML or Yarn parser, which a process
   * that reads no lockfile never loads). Callers go through src/ecosystems/lockfile-changes.ts, which loads each once.
   */
  loadLockfileParser(): Promise<LockfileParser>;
  /** The files that declare the dependencies, relative to a package's folder (the root one first). */
  manifests: readonly string[];
  detect: {
    /** The name that package.json's `packageManager` field ("pnpm@9.1.0") gives it. */
    packageManagerField: string;
    /**
     * The one assumed when neither the field nor a lockfile names another. Its lockfiles are looked at
     * after every other ecosystem's: they are the ones a stray plain `npm install` leaves behind.
     */
    fallback?: boolean;
  };
  /** The frozen-lockfile install: fails instead of changing the lockfile, runs no lifecycle scripts unless allowed. */
  frozenInstall(options: InstallOptions): InstallCommand;
  /**
   * Brings the lockfile in line with the manifests (the Dependency Steward's update), installing as little as
   * the package manager allows, never running a lifecycle script or other committed code it can skip, and
   * not frozen though the sandbox says CI=true.
   */
  lockfileUpdate(version: string): InstallCommand;
  /** Prints the package manager's version: the dependency cache keys on it. */
  versionCommand: string;
  /** Prints the runtime's version (the cache keys on it too; native addons are built for it). */
  runtimeVersionCommand: string;
  /** The command line that runs a script of the manifest (a check such as "test" or "lint"). */
  runScript(script: string): string;
  /** How to get it onto a machine that lacks it, shown when its version command fails. */
  setupHint?: string;
  /**
   * It runs code the commit names on every call, whatever the install's flags (Yarn's `yarnPath`,
   * plugins): an install with it is given no registry credential.
   */
  runsCommittedCode?: true;
  /** How PushPals gets the version a repository needs onto a machine that lacks it (src/deps/provision.ts); none for npm, which comes with Node.js. */
  provision?: Provisioning;
}

export interface ImpliedRange {
  range: string;
  /** For messages: "pnpm-lock.yaml's lockfileVersion 9.0". */
  why: string;
}

/**
 * Where a package manager's releases are and what a repository needs of it. PushPals fetches the release
 * from the user's own registry (an npm package, verified against its integrity), unpacks it once into the
 * runtime directory, and runs it from there: never corepack, which downloads on its own.
 */
export interface Provisioning {
  /** The npm package that carries `version` ("pnpm"; Yarn 2+ is "@yarnpkg/cli-dist"; Bun this platform's binary package). */
  npmPackage(version: string): string;
  /** What runs it in the unpacked package: a Node.js script named by its package.json `bin`, or a native executable (relative path). */
  entry: { nodeBin: string } | { executable: string };
  /**
   * The versions (a semver range) a repository that pins none needs, from its lockfile and config files
   * (`read`: a file of the checkout by relative path, null when absent), and what says so; null when they do not say.
   */
  impliedRange?(read: (path: string) => string | null, lockfile: string | null): ImpliedRange | null;
  /** PushPals itself runs on this package manager (Bun): its own binary serves every repository whose version it satisfies. */
  isRuntime?: true;
}

export interface InstallOptions {
  /** The package manager's version, as its version command printed it. */
  version: string;
  /** Whether lifecycle scripts (postinstall...: arbitrary code from every dependency) may run. */
  allowScripts: boolean;
}

export interface InstallCommand {
  /** The shell command line (fixed words only: nothing from the repository is interpolated). */
  command: string;
  /** Extra environment for the installer, on top of the scrubbed command environment. */
  env: Record<string, string>;
}

/** Keeps the id's literal type, so the registry can derive the union of ids. */
export function defineEcosystem<const Id extends string>(ecosystem: Ecosystem<Id>): Ecosystem<Id> {
  return ecosystem;
}
