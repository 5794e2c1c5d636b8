import type { LockedPackage } from "./lockfile.ts";

/** A package manager as a plug-in: everything PushPals knows about it, read by detection, installs, policy and review. */
export interface Ecosystem<Id extends string = string> {
  /** The value of `install.package_manager` that selects it, and the command that runs it. */
  id: Id;
  /** The lockfiles it installs from, preferred first: the first is the one to commit. */
  lockfiles: readonly string[];
  /**
   * Reads one of its lockfiles (`fileName`: the base name, one of `lockfiles`) into the packages it pins.
   * Throws `LockfileError` when it does not parse: callers treat that as unverifiable, never as unchanged.
   */
  parseLockfile(text: string, fileName: string): LockedPackage[];
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
  /** Brings the lockfile in line with the manifests without installing, for the given package manager version. */
  lockfileUpdate(version: string): string;
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
