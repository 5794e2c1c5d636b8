import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { JobFailure } from "../core/job-failure.ts";
import { bunPlatformPackage } from "../ecosystems/bun/bun-platform.ts";
import type { Requirement } from "./package-manager-requirement.ts";
import { commitEntry, listEntries, readEntry, stagingDir, sweepStaging } from "./provision-cache.ts";
import { fakePnpmPackage, integrityOf, packTarball } from "./provision-fixture.ts";
import type { FetchRelease } from "./provision-fetch.ts";
import { digestsOf } from "./provision-tarball.ts";
import { checkPinHash, provisionRelease } from "./provision.ts";

const root = tempDir("pushpals-provision-");
afterAll(() => root.cleanup());
let n = 0;
const freshRoot = () => join(root.path, `pm${++n}`);

const tarballs = new Map(["10.2.0", "10.3.0", "9.15.0"].map((v) => [v, packTarball(fakePnpmPackage(v))]));
const pinned = (version: string, hash: Requirement["hash"] = null): Requirement => ({ pm: "pnpm", version, exact: true, hash, source: `packageManager "pnpm@${version}" in package.json` });

/** A registry in memory: serves each version's tarball and integrity, or (`tamper`) other bytes under the same integrity. */
function registry(options: { tamper?: boolean; before?: () => Promise<void> } = {}): FetchRelease & { calls: string[] } {
  const calls: string[] = [];
  const fetch = async (spec: { npmPackage: string; version: string }) => {
    calls.push(`${spec.npmPackage}@${spec.version}`);
    await options.before?.();
    const version = [...tarballs.keys()].filter((v) => Bun.semver.satisfies(v, spec.version)).sort(Bun.semver.order).at(-1);
    if (!version) throw new JobFailure("environment", `${spec.npmPackage}@${spec.version} does not exist`);
    const bytes = tarballs.get(version)!;
    const served = options.tamper ? Uint8Array.from(bytes, (b, i) => (i === 40 ? b ^ 1 : b)) : bytes;
    return { version, tarball: served, dist: { integrity: integrityOf(bytes) } };
  };
  return Object.assign(fetch, { calls });
}

function provision(dir: string, requirement: Requirement, fetch: FetchRelease, logs: string[] = []) {
  return provisionRelease({ root: dir, pm: "pnpm", requirement, npmPackage: "pnpm", version: requirement.version, fetch, log: (l) => logs.push(l) });
}

async function failureOf(promise: Promise<unknown>): Promise<JobFailure> {
  const err = await promise.then(() => null, (e: unknown) => e);
  if (!(err instanceof JobFailure)) throw new Error(`expected a JobFailure, got ${String(err)}`);
  return err;
}

function runShim(entryDir: string, args: string): string {
  const r = Bun.spawnSync(["sh", "-c", `${join(entryDir, "bin", "pnpm")} ${args}`], { stdout: "pipe", stderr: "pipe" });
  return r.stdout.toString().trim() || r.stderr.toString().trim();
}

describe("provisioning a release", () => {
  test("a pinned version is fetched once, checked, unpacked and run through its shim", async () => {
    const dir = freshRoot();
    const fetch = registry();
    const logs: string[] = [];
    const entry = await provision(dir, pinned("10.2.0"), fetch, logs);
    expect(entry.dir).toBe(join(dir, "pnpm@10.2.0"));
    expect(entry.record).toMatchObject({ pm: "pnpm", package: "pnpm", version: "10.2.0", entry: "bin/pnpm.cjs", integrity: integrityOf(tarballs.get("10.2.0")!) });
    expect(runShim(entry.dir, "--version")).toBe("10.2.0");
    expect(readEntry(dir, "pnpm", "10.2.0")).toEqual(entry);
    expect(readdirSync(dir)).toEqual(["pnpm@10.2.0"]);
    expect(logs.join("\n")).toContain("provisioned pnpm 10.2.0");
    expect(fetch.calls).toEqual(["pnpm@10.2.0"]);
  });

  test("a range resolves to the registry's highest release in it", async () => {
    const dir = freshRoot();
    const entry = await provisionRelease({ root: dir, pm: "pnpm", requirement: { ...pinned(">=9.0.0 <11.0.0"), exact: false }, npmPackage: "pnpm", version: ">=9.0.0 <11.0.0", fetch: registry(), log: () => {} });
    expect(entry.record.version).toBe("10.3.0");
    expect(listEntries(dir, "pnpm").map((e) => e.record.version)).toEqual(["10.3.0"]);
  });

  test("a native release (Bun's binary package, no bin in its package.json) runs its executable directly", async () => {
    const dir = freshRoot();
    const npmPackage = bunPlatformPackage();
    const tarball = packTarball({ "package.json": JSON.stringify({ name: npmPackage, version: "1.1.0" }), "bin/bun": "#!/bin/sh\necho bun 1.1.0 \"$@\"\n" }, []);
    const requirement: Requirement = { pm: "bun", version: "1.1.0", exact: true, hash: null, source: "engines.bun" };
    const entry = await provisionRelease({ root: dir, pm: "bun", requirement, npmPackage, version: "1.1.0", fetch: async () => ({ version: "1.1.0", tarball, dist: { integrity: integrityOf(tarball) } }), log: () => {} });
    expect(entry.record).toMatchObject({ pm: "bun", package: npmPackage, entry: "bin/bun" });
    expect(Bun.spawnSync([join(entry.dir, "bin", "bun"), "--version"]).stdout.toString()).toBe("bun 1.1.0 --version\n");
  });

  test("a tarball that does not match the registry's integrity is refused, and nothing of it is kept", async () => {
    const dir = freshRoot();
    const err = await failureOf(provision(dir, pinned("10.2.0"), registry({ tamper: true })));
    expect(err.failureClass).toBe("policy_denied");
    expect(err.message).toContain("pnpm@10.2.0 was refused: pnpm@10.2.0's tarball does not match the registry's integrity");
    expect(err.evidence.notRetryable).toBeDefined();
    expect(readdirSync(dir)).toEqual([]);
  });

  test("a pin's hash must be the tarball's: a match provisions, a mismatch is refused, for a new entry and an existing one", async () => {
    const dir = freshRoot();
    const good = { algorithm: "sha512" as const, hex: digestsOf(tarballs.get("10.2.0")!).sha512 };
    const bad = { algorithm: "sha512" as const, hex: "0".repeat(128) };
    const refused = await failureOf(provision(dir, pinned("10.2.0", bad), registry()));
    expect([refused.failureClass, refused.message]).toEqual(["policy_denied", expect.stringContaining("does not match the sha512 hash of packageManager")]);
    expect(readdirSync(dir)).toEqual([]);
    const entry = await provision(dir, pinned("10.2.0", good), registry());
    expect(checkPinHash(entry, pinned("10.2.0", good))).toBe(entry);
    const err = (() => {
      try {
        checkPinHash(entry, pinned("10.2.0", bad));
      } catch (e) {
        return e as JobFailure;
      }
    })();
    expect(err?.failureClass).toBe("policy_denied");
    expect(err?.message).toContain("is not the release packageManager");
  });

  test("a tarball that is another package than the one asked for is not provisioned", async () => {
    const dir = freshRoot();
    const other = packTarball(fakePnpmPackage("10.2.0", "not-pnpm"));
    const fetch: FetchRelease = async () => ({ version: "10.2.0", tarball: other, dist: { integrity: integrityOf(other) } });
    const err = await failureOf(provision(dir, pinned("10.2.0"), fetch));
    expect([err.failureClass, err.message]).toEqual(["environment", expect.stringContaining("is not that package (its package.json says not-pnpm@10.2.0)")]);
    expect(readdirSync(dir)).toEqual([]);
  });

  test("two jobs provisioning the same version at once end with one complete entry", async () => {
    const dir = freshRoot();
    let arrived = 0;
    let release!: () => void;
    const bothFetching = new Promise<void>((r) => (release = r));
    // Both fetch before either has an entry to find: the rename decides.
    const fetch = registry({ before: () => (++arrived === 2 && release(), bothFetching) });
    const [a, b] = await Promise.all([provision(dir, pinned("10.2.0"), fetch), provision(dir, pinned("10.2.0"), fetch)]);
    expect(fetch.calls.length).toBe(2);
    expect(a.dir).toBe(b.dir);
    expect(readdirSync(dir)).toEqual(["pnpm@10.2.0"]);
    expect(runShim(a.dir, "--version")).toBe("10.2.0");
  });

  test("when both have built an entry, the rename keeps the first and the second's is deleted", () => {
    const dir = freshRoot();
    const built = [1, 2].map((i) => {
      const staged = join(stagingDir(dir), "entry");
      mkdirSync(staged);
      writeFileSync(join(staged, "which"), String(i));
      return staged;
    });
    expect(built.map((b) => commitEntry(b, dir, "pnpm@10.2.0"))).toEqual(["stored", "raced"]);
    expect(readFileSync(join(dir, "pnpm@10.2.0", "which"), "utf8")).toBe("1");
    expect(built.some((b) => existsSync(b))).toBe(false);
  });
});

describe("the entries", () => {
  test("only complete entries count: no record, a record of another version, or no shim is no entry", async () => {
    const dir = freshRoot();
    const entry = await provision(dir, pinned("10.2.0"), registry());
    mkdirSync(join(dir, "pnpm@9.0.0", "package"), { recursive: true });
    writeFileSync(join(dir, "pnpm@9.1.0"), "not a directory");
    expect(readEntry(dir, "pnpm", "9.0.0")).toBeNull();
    expect(listEntries(dir, "pnpm").map((e) => e.record.version)).toEqual(["10.2.0"]);
    rmSync(join(entry.dir, "bin", "pnpm"));
    expect(readEntry(dir, "pnpm", "10.2.0")).toBeNull();
  });

  test("a staging dir of a process that is gone is swept; this process's stays", () => {
    const dir = freshRoot();
    const mine = stagingDir(dir);
    mkdirSync(join(dir, ".staging-99999999-abc"));
    expect(sweepStaging(dir)).toBe(1);
    expect(existsSync(mine)).toBe(true);
    expect(readdirSync(dir)).toEqual([mine.split("/").at(-1)!]);
  });
});
