import type { NpmConfigSources } from "../../deps/npm-config.ts";
import { fetchPackuments } from "../../registry/fetch-packuments.ts";
import { RegistryFailure } from "../../registry/registry-failure.ts";
import type { PlannedUpdateRecord } from "../../sources/dependency-updates/deps-scan-result.ts";
import { fetchReleaseNotes } from "../../updates/release-notes.ts";
import type { NotesForPr } from "../../updates/update-pr-body.ts";

/** Release notes are read for at most this many packages of a group (the PR body has room for no more). */
const MAX_PACKAGES = 10;

/**
 * The release notes of each updated package, from its own changelog in the tarball of the version it
 * goes to. Nice to have: a registry that fails here leaves a line saying so, never a failed update.
 */
export async function releaseNotesFor(updates: readonly PlannedUpdateRecord[], options: { npmConfig: NpmConfigSources; cacheDir: string; signal: AbortSignal; log: (line: string) => void }): Promise<NotesForPr[]> {
  const unique = new Map<string, PlannedUpdateRecord>();
  for (const u of updates) if (!unique.has(`${u.name}@${u.from}->${u.to}`)) unique.set(`${u.name}@${u.from}->${u.to}`, u);
  const wanted = [...unique.values()].slice(0, MAX_PACKAGES);
  if (wanted.length === 0) return [];
  let packuments: Awaited<ReturnType<typeof fetchPackuments>>;
  try {
    packuments = await fetchPackuments(new Set(wanted.map((u) => u.name)), { npmConfig: options.npmConfig, cacheDir: options.cacheDir, signal: options.signal, log: options.log });
  } catch (err) {
    if (!(err instanceof RegistryFailure)) throw err;
    options.log(`release notes: ${err.message}`);
    return wanted.map((u) => ({ name: u.name, from: u.from, to: u.to, notes: { found: false, why: "the registry did not answer" } }));
  }
  const out: NotesForPr[] = [];
  for (const u of wanted) {
    const dist = packuments.get(u.name)?.packument.versions[u.to]?.dist;
    if (!dist?.tarball) {
      out.push({ name: u.name, from: u.from, to: u.to, notes: { found: false, why: `the registry names no tarball for ${u.to}` } });
      continue;
    }
    const notes = await fetchReleaseNotes({ name: u.name, from: u.from, to: u.to, tarball: dist.tarball, integrity: dist.integrity ?? null }, { npmConfig: options.npmConfig, signal: options.signal });
    out.push({ name: u.name, from: u.from, to: u.to, notes });
  }
  return out;
}
