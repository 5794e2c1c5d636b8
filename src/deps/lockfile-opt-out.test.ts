import { afterAll, expect, test } from "bun:test";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import type { EcosystemId } from "../ecosystems/registry.ts";
import { lockfileOptOut } from "./lockfile-opt-out.ts";

const root = tempDir("pushpals-lockfile-opt-out-");
afterAll(() => root.cleanup());
let n = 0;
function repo(files: Record<string, string>): string {
  const dir = join(root.path, `r${++n}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const CASES: [string, EcosystemId, Record<string, string>, string | null][] = [
  ["npm: package-lock=false", "npm", { ".npmrc": "save-exact=true\npackage-lock=false\n" }, "package-lock=false in .npmrc"],
  ["npm: package_lock = false", "npm", { ".npmrc": "package_lock = false\n" }, "package-lock=false in .npmrc"],
  ["npm: package-lock=true", "npm", { ".npmrc": "package-lock=true\n" }, null],
  ["npm: no .npmrc", "npm", {}, null],
  ["npm: pnpm's knob is not npm's", "npm", { ".npmrc": "lockfile=false\n" }, null],
  ["pnpm: lockfile=false", "pnpm", { ".npmrc": "lockfile=false\n" }, "lockfile=false in .npmrc"],
  ["pnpm: lockfile: false in pnpm-workspace.yaml", "pnpm", { "pnpm-workspace.yaml": "packages:\n  - 'packages/*'\nlockfile: false\n" }, "lockfile: false in pnpm-workspace.yaml"],
  ["pnpm: a workspace file that does not parse", "pnpm", { "pnpm-workspace.yaml": "lockfile: [false\n" }, null],
  ["Yarn 1: --install.no-lockfile true", "yarn", { ".yarnrc": "--install.no-lockfile true\n" }, "--install.no-lockfile in .yarnrc"],
  ["Yarn 1: --*.no-lockfile true", "yarn", { ".yarnrc": 'registry "https://registry.yarnpkg.com"\n--*.no-lockfile true\n' }, "--install.no-lockfile in .yarnrc"],
  ["Yarn 1: --install.pure-lockfile only stops writing it", "yarn", { ".yarnrc": "--install.pure-lockfile true\n" }, null],
  ["Yarn 2+: .yarnrc.yml has no such setting", "yarn", { ".yarnrc.yml": "enableImmutableInstalls: false\n" }, null],
  ["Bun: [install.lockfile] save = false", "bun", { "bunfig.toml": "[install.lockfile]\nsave = false\n" }, "[install.lockfile] save = false in bunfig.toml"],
  ["Bun: save = true", "bun", { "bunfig.toml": "[install.lockfile]\nsave = true\n" }, null],
];

for (const [name, pm, files, expected] of CASES) {
  test(name, () => expect(lockfileOptOut(repo(files), pm)).toBe(expected));
}

test("a committed .npmrc that is a link is not followed", () => {
  const target = join(root.path, "elsewhere.npmrc");
  writeFileSync(target, "package-lock=false\n");
  const dir = repo({});
  symlinkSync(target, join(dir, ".npmrc"));
  expect(lockfileOptOut(dir, "npm")).toBeNull();
});
