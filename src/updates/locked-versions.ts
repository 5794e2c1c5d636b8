import { parse as parseYaml } from "yaml";
import { recordOf, splitNameAndSpec, stringOf, type LockedPackage } from "../ecosystems/common/lockfile.ts";
import type { EcosystemId } from "../ecosystems/registry.ts";
import type { DependencyType } from "./dependency-spec.ts";

/**
 * The version a lockfile installs for one declared dependency, read from what the ecosystem's own lockfile
 * reader returns (src/ecosystems/<pm>/), looked up the way each format keys its entries:
 *   npm, Bun: by install path, from the manifest's folder up to the root (npm `packages/a/node_modules/x`,
 *             then `node_modules/x`; Bun `<workspace name>/x`, then `x`);
 *   Yarn:     by the selector the manifest's spec makes (`x@^1.2.0`; Berry `x@npm:^1.2.0`);
 *   pnpm:     by importer (`importers["packages/a"].dependencies.x.version`), which its reader does not
 *             return, so that one section of the lockfile is read here (with the same YAML parser).
 * A dependency the lockfile links to a local folder (a workspace package) is `local`; one it does not
 * record is null (not guessed from another entry of the same name).
 */
export interface LockedDependency {
  version: string | null;
  /** Installed from a folder of the repository (`link:`, `workspace:`, `file:`), not the registry. */
  local: boolean;
}

export interface LockLookup {
  /** `key`: the manifest's key (the alias, for an `npm:` alias); `spec`: the spec as written. */
  key: string;
  spec: string;
  type: DependencyType;
  /** The manifest's folder, relative ("" at the root), and its package name. */
  dir: string;
  packageName: string | null;
}

export type LockIndex = (lookup: LockLookup) => LockedDependency | null;

const LOCAL = /^(link|workspace|file|portal):/;

export function lockIndex(ecosystem: EcosystemId, packages: LockedPackage[], text: string): LockIndex {
  const byKey = new Map(packages.map((p) => [p.key, p] as const));
  const fromEntry = (p: LockedPackage | undefined): LockedDependency | null => (p === undefined ? null : { version: cleanVersion(p.version), local: p.resolved !== null && LOCAL.test(p.resolved) });
  switch (ecosystem) {
    case "npm":
      return ({ key, dir }) => {
        for (const folder of ancestors(dir)) {
          const path = `${folder === "" ? "" : `${folder}/`}node_modules/${key}`;
          const found = byKey.get(path) ?? byKey.get(`${path} (dependencies)`);
          if (found) return fromEntry(found);
        }
        return null;
      };
    case "bun":
      return ({ key, packageName }) => fromEntry((packageName !== null ? byKey.get(`${packageName}/${key}`) : undefined) ?? byKey.get(key));
    case "yarn":
      return ({ key, spec }) => fromEntry(byKey.get(`${key}@${spec}`) ?? byKey.get(`${key}@npm:${spec}`));
    case "pnpm":
      return pnpmImporters(text);
  }
}

/** "packages/a/b" -> ["packages/a/b", "packages/a", "packages", ""]. */
function ancestors(dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; d !== ""; d = d.includes("/") ? d.slice(0, d.lastIndexOf("/")) : "") out.push(d);
  out.push("");
  return out;
}

/** A plain version: npm v1's alias `npm:real@1.0.0` -> 1.0.0; anything that is not a version -> null. */
function cleanVersion(version: string | null): string | null {
  if (version === null) return null;
  const plain = version.startsWith("npm:") ? splitNameAndSpec(version.slice(4)).spec : version;
  return /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.test(plain) ? plain : null;
}

/** pnpm records no peers in importers: a peer is what the package itself installs under that name, if it does. */
const PNPM_SECTIONS: Record<DependencyType, readonly string[]> = {
  prod: ["dependencies"],
  dev: ["devDependencies"],
  optional: ["optionalDependencies"],
  peer: ["devDependencies", "dependencies", "optionalDependencies"],
};

/**
 * pnpm's importers: v6 and v9 `{ specifier, version }` per dependency, v5 the bare version (specifiers
 * apart). A single-project lockfile before v9 keeps the sections at the top. Versions carry peer suffixes
 * (`1.0.0(react@18.2.0)`, v5 `1.0.0_react@18.2.0`); an alias's is `real@1.0.0` (v5 `/real/1.0.0`).
 */
function pnpmImporters(text: string): LockIndex {
  let parsed: Record<string, unknown> = {};
  try {
    parsed = recordOf(parseYaml(text, { maxAliasCount: 100 })) ?? {};
  } catch {
    // The lockfile's reader already said whether it parses.
  }
  const v5 = String(parsed.lockfileVersion ?? "").startsWith("5");
  const importers = recordOf(parsed.importers) ?? { ".": parsed };
  return ({ key, type, dir }) => {
    const importer = recordOf(importers[dir === "" ? "." : dir]);
    const section = PNPM_SECTIONS[type].find((s) => recordOf(importer?.[s])?.[key] !== undefined);
    if (section === undefined) return null;
    const entry = recordOf(importer?.[section])?.[key];
    const raw = stringOf(recordOf(entry)?.version ?? (typeof entry === "number" ? String(entry) : entry));
    if (raw === null) return null;
    if (LOCAL.test(raw)) return { version: null, local: true };
    return { version: cleanVersion(pnpmVersion(raw, v5)), local: false };
  };
}

function pnpmVersion(raw: string, v5: boolean): string {
  let version = raw;
  const paren = version.indexOf("(");
  if (paren !== -1) version = version.slice(0, paren);
  if (v5) {
    if (version.startsWith("/")) version = version.slice(1).split("/").slice(version.startsWith("/@") ? 2 : 1).join("/");
    version = version.split("_")[0]!;
  } else if (/^(@[^/]+\/)?[^@]+@/.test(version)) {
    version = splitNameAndSpec(version).spec;
  }
  return version;
}
