import { expect, test } from "bun:test";
import { loadedPackages } from "./helpers/loaded-packages.ts";

// Issue #14: a WorkerPal loads the heavy libraries of a role (GitHub's client, lockfile and YAML/TOML
// readers, the secret scanner, the TypeScript compiler) only when it first plays it.
const HEAVY = [/^@octokit\//, /^yaml$/, /^@yarnpkg\//, /^@secretlint\//, /^typescript$/, /^smol-toml$/];

test("importing the WorkerPal process loads none of the heavy libraries", () => {
  const loaded = loadedPackages('await import("./src/runtime/worker-process.ts");');
  expect(loaded).toContain("zod");
  expect(loaded.filter((p) => HEAVY.some((h) => h.test(p)))).toEqual([]);
});
