import { existsSync } from "node:fs";
import { join } from "node:path";
import { ECOSYSTEMS, type RegisteredEcosystem } from "./registry.ts";

export interface LockfileFound {
  /** Relative to the repository root. */
  file: string;
  ecosystem: RegisteredEcosystem;
}

export interface EcosystemDetection {
  ecosystem: RegisteredEcosystem;
  /** The ecosystem package.json's `packageManager` field names, if it names one. */
  named: RegisteredEcosystem | undefined;
  /** The lockfile `ecosystem` installs from; undefined when it has none here. */
  lockfile: string | undefined;
  /** Every lockfile present, of any ecosystem, in detection order. */
  present: LockfileFound[];
}

/** The fallback ecosystem's lockfiles come last: see `detect.fallback`. */
export const DETECTION_ORDER: readonly RegisteredEcosystem[] = [...ECOSYSTEMS.filter((e) => !e.detect.fallback), ...ECOSYSTEMS.filter((e) => e.detect.fallback)];

export const FALLBACK_ECOSYSTEM: RegisteredEcosystem = ECOSYSTEMS.find((e) => e.detect.fallback)!;

/** The ecosystem a `packageManager` field value ("pnpm@9.1.0", "yarn") names; undefined for none or an unknown one. */
export function ecosystemNamedBy(packageManagerField: string): RegisteredEcosystem | undefined {
  return ECOSYSTEMS.find((e) => packageManagerField === e.detect.packageManagerField || packageManagerField.startsWith(`${e.detect.packageManagerField}@`));
}

export function lockfilesIn(root: string): LockfileFound[] {
  return DETECTION_ORDER.flatMap((ecosystem) => ecosystem.lockfiles.filter((file) => existsSync(join(root, file))).map((file) => ({ file, ecosystem })));
}

/**
 * Which ecosystem a package root uses: the one its `packageManager` field names, else the one whose
 * lockfile comes first in detection order, else the fallback. Reads files only.
 */
export function detectEcosystem(root: string, packageManagerField: string): EcosystemDetection {
  const named = ecosystemNamedBy(packageManagerField);
  const present = lockfilesIn(root);
  const lock = present.find((l) => !named || l.ecosystem === named);
  return { ecosystem: named ?? lock?.ecosystem ?? FALLBACK_ECOSYSTEM, named, lockfile: lock?.file, present };
}
