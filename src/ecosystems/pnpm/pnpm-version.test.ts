import { expect, test } from "bun:test";
import { pnpmImpliedRange } from "./pnpm-version.ts";

const withLockfile = (text: string | null) => pnpmImpliedRange((path) => (path === "pnpm-lock.yaml" ? text : null), "pnpm-lock.yaml");

test("each lockfile format implies the pnpm releases that write it", () => {
  expect(withLockfile("lockfileVersion: '9.0'\n\nimporters: {}\n")).toEqual({ range: ">=9.0.0 <11.0.0", why: "pnpm-lock.yaml's lockfileVersion 9.0" });
  expect(withLockfile("lockfileVersion: '6.0'\n")?.range).toBe("8.x");
  expect(withLockfile('lockfileVersion: "6.1"\n')?.range).toBe("8.x");
  expect(withLockfile("lockfileVersion: 5.4\n")?.range).toBe("7.x");
  expect(withLockfile("lockfileVersion: 5.3\n")?.range).toBe("6.x");
  expect(withLockfile("lockfileVersion: 5.1\n")?.range).toBe("5.x");
});

test("an unknown format, no lockfile version or no lockfile implies nothing", () => {
  expect(withLockfile("lockfileVersion: '12.0'\n")).toBeNull();
  expect(withLockfile("importers: {}\n")).toBeNull();
  expect(withLockfile(null)).toBeNull();
  expect(pnpmImpliedRange(() => "lockfileVersion: '9.0'\n", null)).toBeNull();
});
