/** For tests only: one table of lockfile redirections, run against every format through its own renderer. */
import { beforeAll, describe, expect, test } from "bun:test";
import { describeRedirect } from "./common/lockfile-diff.ts";
import { loadLockfileParsers, lockfileRedirects } from "./lockfile-changes.ts";

export type FixtureSource =
  | { kind: "registry"; host: string }
  | { kind: "tarball"; url: string }
  | { kind: "git"; repo: string; commit: string }
  | { kind: "file"; path: string };

export interface FixturePackage {
  name: string;
  version: string;
  source: FixtureSource;
  integrity: string;
}

/** A lockfile format: writes packages the way its package manager does (`reorder`: entries reversed, other whitespace). */
export interface LockfileFormat {
  label: string;
  fileName: string;
  render(packages: FixturePackage[], options: { reorder: boolean }): string;
  /** Texts its parser must refuse. */
  malformed: string[];
}

export const DEFAULT_HOST = "registry.npmjs.org";

export const integrityOf = (seed: string) => `sha512-${Buffer.from(seed.padEnd(48, "#")).toString("base64")}`;

const pkg = (name: string, version: string): FixturePackage => ({ name, version, source: { kind: "registry", host: DEFAULT_HOST }, integrity: integrityOf(`${name}@${version}`) });

/** What every fixture locks at the base: lodash (the one the cases change) and a scoped package. */
export const BASE_PACKAGES: readonly FixturePackage[] = [pkg("lodash", "4.17.21"), pkg("@scope/util", "1.2.0")];

/** The registry tarball URL of a package on `host` (`/@s/n/-/n-1.0.0.tgz`). */
export function registryTarball(name: string, version: string, host = DEFAULT_HOST): string {
  return `https://${host}/${name}/-/${name.split("/").at(-1)}-${version}.tgz`;
}

interface RedirectCase {
  name: string;
  lodash: Partial<FixturePackage>;
  /** Text the finding's description must contain; absent: no redirection. */
  mentions?: string;
}

const EVIL = integrityOf("evil");

export const REDIRECT_CASES: readonly RedirectCase[] = [
  { name: "the same version resolved from another host", lodash: { source: { kind: "registry", host: "mirror.evil.example" } }, mentions: "mirror.evil.example" },
  { name: "a tarball URL swapped in", lodash: { source: { kind: "tarball", url: "https://evil.example/dl/lodash-4.17.21.tgz" }, integrity: EVIL }, mentions: "https://evil.example/dl/lodash-4.17.21.tgz" },
  { name: "a git URL", lodash: { source: { kind: "git", repo: "https://github.com/evil/lodash.git", commit: "0123456789abcdef0123456789abcdef01234567" }, integrity: EVIL }, mentions: "github.com/evil/lodash" },
  { name: "a file: path outside the repository", lodash: { source: { kind: "file", path: "../../outside/lodash" } }, mentions: "../../outside/lodash" },
  { name: "the integrity alone", lodash: { integrity: EVIL }, mentions: "integrity " },
  { name: "a legitimate version bump (new registry URL and integrity)", lodash: { version: "4.17.22", integrity: integrityOf("lodash@4.17.22") } },
];

/** The table: each case's lockfile against the base one, plus reordering and malformed texts. */
export function lockfileCases(format: LockfileFormat): void {
  const base = format.render([...BASE_PACKAGES], { reorder: false });
  const check = (after: string) => lockfileRedirects({ path: format.fileName, before: base, after });

  describe(`${format.label} redirections`, () => {
    beforeAll(() => loadLockfileParsers([format.fileName]));
    for (const c of REDIRECT_CASES) {
      test(c.name, () => {
        const packages = BASE_PACKAGES.map((p) => (p.name === "lodash" ? { ...p, ...c.lodash } : p));
        const verdict = check(format.render(packages, { reorder: false }));
        if (!verdict.ok) throw new Error(verdict.reason);
        if (c.mentions === undefined) return void expect(verdict.redirects).toEqual([]);
        expect([...new Set(verdict.redirects.map((r) => r.name))]).toEqual(["lodash"]);
        expect(verdict.redirects.map(describeRedirect).join("\n")).toContain(c.mentions);
      });
    }

    test("reordered and reformatted: no change", () => {
      expect(check(format.render([...BASE_PACKAGES], { reorder: true }))).toEqual({ ok: true, redirects: [] });
    });

    test("a new lockfile from the registry redirects nothing; one that adds a git package does", () => {
      expect(lockfileRedirects({ path: format.fileName, before: null, after: base })).toEqual({ ok: true, redirects: [] });
      const git: FixturePackage = { name: "left-pad", version: "1.3.0", source: { kind: "git", repo: "https://git.evil.example/left-pad.git", commit: "f".repeat(40) }, integrity: EVIL };
      const added = check(format.render([...BASE_PACKAGES, git], { reorder: false }));
      // A v2 package-lock.json has it twice (its v1 section too): one package either way.
      expect(added.ok && [...new Set(added.redirects.map((r) => `${r.name} ${r.reason}`))]).toEqual(["left-pad added"]);
    });

    test.each(format.malformed.map((text, i) => [i, text] as const))("malformed #%d is unreadable, on either side", (_i, text) => {
      const head = check(text);
      expect(head.ok).toBe(false);
      const baseSide = lockfileRedirects({ path: format.fileName, before: text, after: base });
      expect(baseSide.ok ? null : baseSide.reason).toStartWith("the base version: ");
    });
  });
}
