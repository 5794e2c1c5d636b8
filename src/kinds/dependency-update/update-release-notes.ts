import type { NpmConfigSources } from "../../deps/npm-config.ts";
import { fetchPackuments } from "../../registry/fetch-packuments.ts";
import { RegistryFailure } from "../../registry/registry-failure.ts";
import type { PlannedUpdateRecord } from "../../sources/dependency-updates/deps-scan-result.ts";
import { fetchGithubReleases } from "../../updates/github-releases.ts";
import { fetchReleaseNotes } from "../../updates/release-notes.ts";
import type { NotesForPr } from "../../updates/update-pr-body.ts";

/** Release notes are read for at most this many packages of a group (the PR body has room for no more). */
const MAX_PACKAGES = 10;

/**
 * The release notes of each updated package, from its own changelog in the tarball of the version it
 * goes to; with `github` (the GitHub provider's API), a package whose tarball has none falls back to the
 * public releases of its source repository (github-releases.ts). Nice to have: a registry that fails here
 * leaves a line saying so, never a failed update.
 */
export async function releaseNotesFor(
  updates: readonly PlannedUpdateRecord[],
  options: { npmConfig: NpmConfigSources; cacheDir: string; signal: AbortSignal; log: (line: string) => void; github?: { apiUrl: string } },
): Promise<NotesForPr[]> {
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
    const packument = packuments.get(u.name)?.packument;
    const dist = packument?.versions[u.to]?.dist;
    let notes: NotesForPr["notes"] = dist?.tarball
      ? await fetchReleaseNotes({ name: u.name, from: u.from, to: u.to, tarball: dist.tarball, integrity: dist.integrity ?? null }, { npmConfig: options.npmConfig, signal: options.signal })
      : { found: false, why: `the registry names no tarball for ${u.to}` };
    const repository = packument?.versions[u.to]?.repository ?? packument?.repository;
    if (!notes.found && options.github && repository !== undefined) {
      const releases = await fetchGithubReleases({ name: u.name, from: u.from, to: u.to, repository }, { apiUrl: options.github.apiUrl, signal: options.signal });
      // Both reasons, so the PR says why neither source had notes.
      notes = releases.found ? releases : { found: false, why: `${notes.why}; ${releases.why}`.slice(0, 500) };
    }
    out.push({ name: u.name, from: u.from, to: u.to, notes });
  }
  return out;
}
