import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";

/**
 * What of a commit, besides the manifest and the lockfile, changes what an install puts in node_modules:
 * package-manager config, the code it loads (Yarn releases and plugins, a pnpmfile) and the patches it
 * applies. Part of the cache key, so a commit that changes one of them never shares an entry with one
 * that does not.
 */
const INPUT_FILES = [".npmrc", ".yarnrc", ".yarnrc.yml", ".pnpmfile.cjs", "pnpm-workspace.yaml", "bunfig.toml"];
const INPUT_DIRS = [".yarn/releases", ".yarn/plugins", ".yarn/patches", "patches"];

export function installInputsSha256(dir: string): string {
  const hash = createHash("sha256");
  const add = (rel: string) => {
    const abs = join(dir, rel);
    const stat = lstatSync(abs, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isSymbolicLink()) hash.update(`l\0${rel}\0${readlinkSync(abs)}\n`);
    else if (stat.isFile()) hash.update(`f\0${rel}\0`).update(readFileSync(abs)).update("\n");
    else if (stat.isDirectory()) for (const name of readdirSync(abs).sort()) add(`${rel}/${name}`);
  };
  for (const rel of INPUT_FILES) {
    const stat = lstatSync(join(dir, rel), { throwIfNoEntry: false });
    if (stat && !stat.isDirectory()) add(rel);
  }
  for (const rel of INPUT_DIRS) add(rel);
  return hash.digest("hex");
}
