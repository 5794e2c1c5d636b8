import { lstatSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, sep } from "node:path";
import { PushpalsError } from "../core/errors.ts";
import { MAX_LOCKFILE_BYTES } from "../ecosystems/common/lockfile.ts";
import { MAX_MANIFEST_BYTES } from "./extract.ts";
import { CheckoutFiles, isInsideRelative } from "./checkout-files.ts";
import type { PlannedUpdateRecord } from "../sources/dependency-updates/deps-scan-result.ts";
import { editManifest, type ManifestEdit } from "./edit-manifest.ts";

const SECTION: Record<PlannedUpdateRecord["type"], string> = { prod: "dependencies", dev: "devDependencies", optional: "optionalDependencies", peer: "peerDependencies" };

/** The manifests an update group edits, as they were committed, read before any command runs in the checkout. */
export type ManifestTexts = ReadonlyMap<string, string>;

export function readManifests(dir: string, updates: readonly PlannedUpdateRecord[]): ManifestTexts {
  const files = new CheckoutFiles(dir);
  const out = new Map<string, string>();
  for (const path of new Set(updates.map((u) => u.manifestPath))) {
    const read = files.read(path, MAX_MANIFEST_BYTES);
    if (!read.ok) throw new PushpalsError("invalid_input", `${read.why}: the update names a manifest the base commit does not have`, { field: path, hint: "scan the branch again (pushpals deps scan)" });
    out.set(path, read.text);
  }
  return out;
}

/**
 * The committed manifests with each update's range set, `pinned` to exactly its version (so the
 * package manager locks that version and no newer one) or to its final range (which the locked version
 * satisfies, so the lockfile keeps it), written over the checkout's files. The texts come from before any
 * command ran, and each file is replaced, never written through: a link a command planted there, or in a
 * folder above it, is never followed out of the checkout. Returns the paths whose text differs from the committed one.
 */
export function writeRanges(dir: string, committed: ManifestTexts, updates: readonly PlannedUpdateRecord[], mode: "pinned" | "final"): string[] {
  const changed: string[] = [];
  for (const [path, text] of committed) {
    const edits: ManifestEdit[] = updates.filter((u) => u.manifestPath === path).map((u) => ({ section: SECTION[u.type], key: u.alias ?? u.name, spec: specOf(u, mode) }));
    const next = editManifest(text, edits, path);
    replaceFile(dir, path, next);
    if (next !== text) changed.push(path);
  }
  return changed;
}

/** The manifest value of an update's range, `pinned` or `final` (an alias keeps its `npm:<name>@` prefix). */
function specOf(u: PlannedUpdateRecord, mode: "pinned" | "final"): string {
  const range = mode === "pinned" ? u.to : u.newRange;
  return u.alias ? `npm:${u.name}@${range}` : range;
}

/**
 * For a yarn.lock (Yarn 1 or 2+) regenerated from the pinned manifests, before the final ranges' regeneration:
 * each update's final selector added to the entry its pinned selector heads. Yarn resolves a selector its
 * lockfile lacks afresh, to the newest version in range (one the policy turned down, too new say), and keeps
 * the resolution of one it has, dropping the pinned selector nothing declares any more. (npm, pnpm and Bun keep
 * a locked version that satisfies the new range on their own.) The lockfile is read and replaced like a
 * manifest (never through a link); one that cannot be read is left as it is (the verify step then says why).
 */
export function carryPinnedSelectors(dir: string, lockfile: string, updates: readonly PlannedUpdateRecord[]): void {
  const read = new CheckoutFiles(dir).read(lockfile, MAX_LOCKFILE_BYTES);
  if (!read.ok) return;
  const next = withFinalSelectors(read.text, updates);
  if (next !== read.text) replaceFile(dir, lockfile, next);
}

/** The text transform of carryPinnedSelectors: Yarn 2+ writes `"a@npm:1.2.0, a@npm:^1.0.0":` (the npm: protocol explicit), Yarn 1 `a@1.2.0, "@s/b@^1.0.0":`. */
function withFinalSelectors(text: string, updates: readonly PlannedUpdateRecord[]): string {
  const berry = /^__metadata:\s*$/m.test(text);
  const selector = (u: PlannedUpdateRecord, mode: "pinned" | "final") => {
    const spec = specOf(u, mode);
    return `${u.alias ?? u.name}@${berry && !spec.startsWith("npm:") ? `npm:${spec}` : spec}`;
  };
  const carried = new Map<string, Set<string>>();
  for (const u of updates) {
    if (u.newRange === u.to) continue;
    const pinned = selector(u, "pinned");
    carried.set(pinned, (carried.get(pinned) ?? new Set()).add(selector(u, "final")));
  }
  if (carried.size === 0) return text;
  return text.replace(/^([^\s#][^\n]*):(\r?)$/gm, (line, header: string, cr: string) => {
    const selectors = header.replace(/"/g, "").split(/,\s*/);
    const added = selectors.flatMap((s) => [...(carried.get(s) ?? [])]).filter((s, i, all) => !selectors.includes(s) && all.indexOf(s) === i);
    if (added.length === 0) return line;
    const all = [...selectors, ...added];
    return `${berry ? JSON.stringify(all.join(", ")) : all.map((s) => JSON.stringify(s)).join(", ")}:${cr}`;
  });
}

/** Puts a file back as committed (`text`), or removes whatever is there when it was not committed (null); never through a link. */
export function restoreFile(dir: string, rel: string, text: string | null): void {
  if (text !== null) return replaceFile(dir, rel, text);
  const path = join(realpathSync(dir), ...rel.split("/"));
  if (exists(path)) rmSync(path, { force: true, recursive: false });
}

function replaceFile(dir: string, rel: string, text: string): void {
  if (!isInsideRelative(rel)) throw new PushpalsError("invalid_input", `${rel}: not a path inside the checkout`);
  const root = realpathSync(dir);
  const path = join(root, ...rel.split("/"));
  const parent = realpathSync(dirname(path));
  if (parent !== root && !parent.startsWith(root + sep)) throw new PushpalsError("forbidden", `${rel}: its folder leads out of the checkout (a link a command left there): not written`);
  if (exists(path)) {
    if (!lstatSync(path).isFile() && !lstatSync(path).isSymbolicLink()) throw new PushpalsError("forbidden", `${rel}: no longer a file (a command left a folder or another kind of file there): not written`);
    rmSync(path, { force: true });
  }
  // wx: a file (or link) that appears between the removal and the write makes it fail, not follow it.
  writeFileSync(join(parent, rel.split("/").at(-1)!), text, { flag: "wx", mode: 0o644 });
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
