import { expect, test } from "bun:test";
import { choosePackageManager, type Availability } from "./package-manager-choice.ts";
import type { Requirement } from "./package-manager-requirement.ts";
import type { ProvisionedEntry } from "./provision-cache.ts";

const entry = (version: string): ProvisionedEntry => ({
  dir: `/rt/package-managers/pnpm@${version}`,
  record: { format: 1, pm: "pnpm", package: "pnpm", version, integrity: "sha512-x", digests: {}, entryDigests: {}, entry: "bin/pnpm.cjs", createdAt: "" },
});
const exact = (pm: Requirement["pm"], version: string): Requirement => ({ pm, version, exact: true, hash: null, source: "pin" });
const range = (pm: Requirement["pm"], version: string): Requirement => ({ pm, version, exact: false, hash: null, source: "lockfile" });
const nothing: Availability = { runtime: null, entries: [], onPath: null };
const bunRuntime: Availability = { ...nothing, runtime: { version: "1.4.5", path: "/opt/pushpals/bun" } };

test("Bun repositories run on PushPals' own Bun whenever it satisfies them; otherwise the pinned Bun is fetched", () => {
  expect(choosePackageManager("bun", null, bunRuntime)).toEqual({ kind: "runtime", version: "1.4.5", path: "/opt/pushpals/bun" });
  expect(choosePackageManager("bun", exact("bun", "1.4.5"), bunRuntime).kind).toBe("runtime");
  expect(choosePackageManager("bun", range("bun", ">=1.1"), { ...bunRuntime, onPath: "/usr/bin/bun" }).kind).toBe("runtime");
  expect(choosePackageManager("bun", exact("bun", "1.1.0"), bunRuntime)).toEqual({ kind: "provision", npmPackage: expect.stringMatching(/^@oven\/bun-/), version: "1.1.0" });
});

test("a pinned version is exactly it: a provisioned entry, else fetched; never whatever is on PATH", () => {
  const available: Availability = { runtime: null, entries: [entry("10.3.0"), entry("10.2.0")], onPath: "/usr/local/bin/pnpm" };
  expect(choosePackageManager("pnpm", exact("pnpm", "10.2.0"), available)).toEqual({ kind: "entry", entry: entry("10.2.0") });
  expect(choosePackageManager("pnpm", exact("pnpm", "10.1.0"), available)).toEqual({ kind: "provision", npmPackage: "pnpm", version: "10.1.0" });
  expect(choosePackageManager("yarn", exact("yarn", "4.5.0"), nothing)).toEqual({ kind: "provision", npmPackage: "@yarnpkg/cli-dist", version: "4.5.0" });
  expect(choosePackageManager("yarn", exact("yarn", "1.22.22"), nothing)).toEqual({ kind: "provision", npmPackage: "yarn", version: "1.22.22" });
});

test("a range: the worker's own on PATH, else the highest entry in it, else the range fetched", () => {
  const entries = [entry("11.0.0"), entry("10.3.0"), entry("9.15.0")];
  expect(choosePackageManager("pnpm", range("pnpm", ">=9.0.0 <11.0.0"), { ...nothing, entries, onPath: "/usr/bin/pnpm" })).toEqual({ kind: "path", path: "/usr/bin/pnpm" });
  expect(choosePackageManager("pnpm", range("pnpm", ">=9.0.0 <11.0.0"), { ...nothing, entries })).toEqual({ kind: "entry", entry: entry("10.3.0") });
  expect(choosePackageManager("pnpm", range("pnpm", "8.x"), { ...nothing, entries })).toEqual({ kind: "provision", npmPackage: "pnpm", version: "8.x" });
});

test("nothing known: the worker's PATH, or nothing at all (the version probe says what is missing); npm is never provisioned", () => {
  expect(choosePackageManager("pnpm", null, { ...nothing, onPath: "/usr/bin/pnpm" }).kind).toBe("path");
  expect(choosePackageManager("pnpm", null, { ...nothing, entries: [entry("10.2.0")] }).kind).toBe("none");
  expect(choosePackageManager("npm", exact("npm", "11.0.0"), nothing).kind).toBe("none");
});
