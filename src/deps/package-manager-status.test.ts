import { afterAll, afterEach, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { packageManagerStatus } from "./package-manager-status.ts";
import { fakePnpmPackage, integrityOf, packTarball } from "./provision-fixture.ts";
import { packageManagersDir } from "./provision-cache.ts";
import { provisionRelease } from "./provision.ts";

const root = tempDir("pushpals-pm-status-");
const runtimeDir = join(root.path, "runtime");
const workerPath = process.env.PATH;
afterEach(() => void (process.env.PATH = workerPath));
afterAll(() => root.cleanup());

let n = 0;
function repo(files: Record<string, string>): string {
  const dir = join(root.path, `r${++n}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
const pkg = (fields: Record<string, unknown>) => JSON.stringify({ name: "app", ...fields });
const V9 = "lockfileVersion: '9.0'\n";

test("what the repository needs and what serves it, by the rule jobs use", async () => {
  process.env.PATH = "/usr/bin:/bin";
  const status = (files: Record<string, string>, installNetwork?: boolean) => packageManagerStatus({ repoRoot: repo(files), runtimeDir, installNetwork });

  expect(status({ "package.json": pkg({ packageManager: `bun@${Bun.version}` }), "bun.lock": "{}" })).toMatchObject({
    packageManager: "bun",
    required: { version: Bun.version, exact: true },
    available: { kind: "runtime", version: Bun.version },
    level: "ok",
    summary: `bun ${Bun.version} (packageManager "bun@${Bun.version}" in package.json): PushPals' own Bun ${Bun.version}`,
  });
  expect(status({ "package.json": pkg({ packageManager: "pnpm@10.2.0" }), "pnpm-lock.yaml": V9 })).toMatchObject({
    available: { kind: "will_provision", release: "pnpm@10.2.0" },
    level: "ok",
    summary: expect.stringContaining(`will be provisioned on the first job (pnpm@10.2.0 from your npm registry, into ${packageManagersDir(runtimeDir)})`),
  });
  expect(status({ "package.json": pkg({ packageManager: "pnpm@10.2.0" }), "pnpm-lock.yaml": V9 }, false)).toMatchObject({ level: "warn", fix: expect.stringContaining("sandbox.install_network = true") });
  expect(status({ "package.json": pkg({}), "pnpm-lock.yaml": V9 })).toMatchObject({ required: { version: ">=9.0.0 <11.0.0", exact: false }, available: { kind: "will_provision", release: "pnpm@>=9.0.0 <11.0.0" } });
  expect(status({ "package.json": pkg({}), "pnpm-lock.yaml": "lockfileVersion: '42.0'\n" })).toMatchObject({ required: null, available: { kind: "missing" }, level: "warn", fix: expect.stringContaining('"packageManager": "pnpm@<version>"') });
  expect(status({ "package.json": pkg({}), "package-lock.json": "{}" })).toMatchObject({ packageManager: "npm", level: "ok", available: { kind: "none_needed" } });
  expect(status({ "README.md": "no package.json" })).toMatchObject({ packageManager: null, level: "ok", summary: "dependencies: none to install (no package.json)" });
  expect(status({ "package.json": pkg({ packageManager: "pnpm@^10" }), "pnpm-lock.yaml": V9 })).toMatchObject({ level: "warn", available: { kind: "unreadable" }, summary: expect.stringContaining("cannot be provisioned") });
});

test("a provisioned release and the worker's own on PATH are named", async () => {
  const tarball = packTarball(fakePnpmPackage("10.2.0"));
  const requirement = { pm: "pnpm" as const, version: "10.2.0", exact: true, hash: null, source: "test" };
  const entry = await provisionRelease({ root: packageManagersDir(runtimeDir), pm: "pnpm", requirement, npmPackage: "pnpm", version: "10.2.0", fetch: async () => ({ version: "10.2.0", tarball, dist: { integrity: integrityOf(tarball) } }), log: () => {} });
  expect(packageManagerStatus({ repoRoot: repo({ "package.json": pkg({ packageManager: "pnpm@10.2.0" }), "pnpm-lock.yaml": V9 }), runtimeDir })).toMatchObject({ available: { kind: "provisioned", version: "10.2.0", dir: entry.dir }, level: "ok" });
  process.env.PATH = `${join(entry.dir, "bin")}:/usr/bin:/bin`;
  expect(packageManagerStatus({ repoRoot: repo({ "package.json": pkg({}), "pnpm-lock.yaml": V9 }), runtimeDir })).toMatchObject({ available: { kind: "path", path: join(entry.dir, "bin", "pnpm") } });
});
