import { posix } from "node:path";
import { bun } from "./bun/bun.ts";
import { npm } from "./npm/npm.ts";
import { pnpm } from "./pnpm/pnpm.ts";
import { yarn } from "./yarn/yarn.ts";

/**
 * Every package manager PushPals can install with. Adding one is a folder beside these and a line here.
 * The order is the order of `install.package_manager`'s values (after "auto") in messages.
 */
export const ECOSYSTEMS = [npm, pnpm, yarn, bun] as const;

export type RegisteredEcosystem = (typeof ECOSYSTEMS)[number];
export type EcosystemId = RegisteredEcosystem["id"];

export const ECOSYSTEM_IDS: readonly EcosystemId[] = ECOSYSTEMS.map((e) => e.id);

/** Every ecosystem's lockfiles, in registry order. */
export const LOCKFILE_NAMES: readonly string[] = ECOSYSTEMS.flatMap((e) => e.lockfiles);

/** Every ecosystem's manifest names, once each (they share package.json). */
export const MANIFEST_NAMES: readonly string[] = [...new Set(ECOSYSTEMS.flatMap((e) => e.manifests))];

export function getEcosystem(id: EcosystemId): RegisteredEcosystem {
  return ECOSYSTEMS.find((e) => e.id === id)!;
}

/** The ecosystem one of whose lockfiles `path` is (by base name), or undefined. */
export function ecosystemOfLockfile(path: string): RegisteredEcosystem | undefined {
  const name = posix.basename(path);
  return ECOSYSTEMS.find((e) => e.lockfiles.includes(name));
}
