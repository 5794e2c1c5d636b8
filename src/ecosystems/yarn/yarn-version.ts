import type { ImpliedRange } from "../common/api.ts";

/** Yarn 1 is the `yarn` package on npm; Yarn 2 and later ship as `@yarnpkg/cli-dist`. `version` may be a range ("4.x", "^1.22.0"). */
export function yarnPackage(version: string): string {
  return Number(/\d+/.exec(version)?.[0] ?? 1) < 2 ? "yarn" : "@yarnpkg/cli-dist";
}

/**
 * The Yarn a repository without a pin needs. One that commits its release (`yarnPath` in .yarnrc.yml, or
 * Yarn 1's `yarn-path`) runs that file: Yarn 1.22 reads either and hands over to it, so it is the launcher.
 * Otherwise the lockfile's format says: "yarn lockfile v1", or Berry's `__metadata.version` (8: Yarn 4).
 */
export function yarnImpliedRange(read: (path: string) => string | null, lockfile: string | null): ImpliedRange | null {
  if (/^yarnPath:\s*\S/m.test(read(".yarnrc.yml") ?? "")) return { range: "^1.22.0", why: "the release .yarnrc.yml's yarnPath names (Yarn 1.22 runs it)" };
  if (/^yarn-path\s+\S/m.test(read(".yarnrc") ?? "")) return { range: "^1.22.0", why: "the release .yarnrc's yarn-path names (Yarn 1.22 runs it)" };
  const text = lockfile ? read(lockfile) : null;
  if (!text) return null;
  if (/^# yarn lockfile v1\s*$/m.test(text)) return { range: "1.x", why: `${lockfile} (yarn lockfile v1)` };
  const berry = /^__metadata:[ \t]*\r?\n(?:[ \t]+.*\r?\n)*?[ \t]+version:[ \t]*(\d+)/m.exec(text);
  const range = berry ? berryRange(Number(berry[1])) : null;
  return range ? { range, why: `${lockfile}'s __metadata.version ${berry![1]}` } : null;
}

function berryRange(format: number): string | null {
  if (format >= 8) return "4.x";
  if (format >= 6) return "3.x";
  if (format >= 4) return "2.x";
  return null;
}
