import { MAX_LOCKFILE_BYTES } from "../../ecosystems/common/lockfile.ts";
import { ecosystemOfLockfile } from "../../ecosystems/registry.ts";
import { CheckoutFiles } from "../../updates/checkout-files.ts";
import { lockfileFindings } from "../../updates/verify-lockfile.ts";

/**
 * Why the regenerated lockfile is not what the two sides explain, or null: it changed, against the base's,
 * more than what the PR itself changed in its lockfile (and their dependencies), it points a package
 * elsewhere than the registry, or it resolved a package the PR changed to a version neither side locked
 * (a newer one in the range, say): then the resolution is High, for a person to look at.
 */
export async function lockfileUnexplained(dir: string, lockfiles: readonly string[], sides: ReadonlyMap<string, { base: string | null; ours: string | null; theirs: string | null }>): Promise<{ path: string; why: string } | null> {
  for (const path of lockfiles) {
    const side = sides.get(path);
    const ecosystem = ecosystemOfLockfile(path);
    const unreadable = { path, why: "the regenerated lockfile could not be compared with both sides'" };
    if (!side || !ecosystem || side.theirs === null) return unreadable;
    const after = new CheckoutFiles(dir).read(path, MAX_LOCKFILE_BYTES);
    if (!after.ok) return unreadable;
    try {
      const parse = await ecosystem.loadLockfileParser();
      const name = path.split("/").at(-1)!;
      const versions = (text: string | null) => new Map((text === null ? [] : parse(text, name)).map((p) => [p.key, `${p.name}@${p.version}`]));
      const [before, ours, theirs, regenerated] = [versions(side.base), versions(side.ours), versions(side.theirs), versions(after.text)];
      const nameOf = (v: string) => v.slice(0, v.lastIndexOf("@"));
      const intended = [...new Set([...ours].filter(([key, v]) => before.get(key) !== v).map(([, v]) => nameOf(v)))];
      const found = await lockfileFindings(path, side.theirs, after.text, intended);
      if (found.redirects.length > 0) return { path, why: `it points ${found.redirects.length} package(s) elsewhere than the registry` };
      if (found.outOfScope.length > 0) return { path, why: "it changes packages neither side changed" };
      // Each version of a package the PR changed must be one of the two sides' own.
      const locked = new Set([...ours.values(), ...theirs.values()]);
      const chosen = [...new Set(regenerated.values())].filter((v) => intended.includes(nameOf(v)) && !locked.has(v));
      if (chosen.length > 0) return { path, why: `the package manager chose ${chosen.slice(0, 5).join(", ")}, which neither side locked` };
    } catch {
      return unreadable;
    }
  }
  return null;
}
