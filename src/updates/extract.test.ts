import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { isPushpalsError } from "../core/errors.ts";
import { classifySpec } from "./dependency-spec.ts";
import { extractDependencies, MAX_MANIFEST_BYTES, type Extraction } from "./extract.ts";

const scratch = mkdtempSync(join(tmpdir(), "pushpals-extract-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let repos = 0;

function repo(files: Record<string, unknown>): string {
  const dir = join(scratch, `repo-${++repos}`);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), typeof content === "string" ? content : `${JSON.stringify(content, null, 2)}\n`);
  }
  return dir;
}

const lines = (e: Extraction) => e.dependencies.map((d) => `${d.manifestPath} ${d.type} ${d.alias ? `${d.alias}=` : ""}${d.name}@${d.range} -> ${d.lockedVersion}`);
const skips = (e: Extraction) => e.skipped.map((s) => `${s.name} ${JSON.stringify(s.spec)}: ${s.reason}`);

describe("specs", () => {
  test.each([
    ["^1.2.3", { registry: true, name: "x", range: "^1.2.3", alias: null }],
    ["", { registry: true, name: "x", range: "", alias: null }],
    ["1.x || >=3", { registry: true, name: "x", range: "1.x || >=3", alias: null }],
    ["npm:@real/lib@^2.0.0", { registry: true, name: "@real/lib", range: "^2.0.0", alias: "x" }],
    ["npm:real", { registry: true, name: "real", range: "", alias: "x" }],
    ["workspace:*", { registry: false, reason: "a workspace: package of the repository" }],
    ["file:../lib", { registry: false, reason: "a local path" }],
    ["link:../lib", { registry: false, reason: "a local path" }],
    ["../lib", { registry: false, reason: "a local path" }],
    ["catalog:", { registry: false, reason: "a pnpm catalog entry" }],
    ["git+https://github.com/a/b.git#v1", { registry: false, reason: "a git dependency" }],
    ["github:a/b", { registry: false, reason: "a git dependency" }],
    ["a/b#main", { registry: false, reason: "a git dependency" }],
    ["https://example.test/x-1.0.0.tgz", { registry: false, reason: "a tarball URL" }],
    ["latest", { registry: false, reason: 'the dist-tag "latest", not a version range' }],
    ["not a range!", { registry: false, reason: "not a semver range" }],
    ["npm:../evil@1", { registry: false, reason: "an npm: alias of no package name" }],
  ] as const)("%p", (spec, verdict) => {
    expect(classifySpec("x", spec)).toEqual(verdict);
  });

  test("a key that is no package name, a spec that is no string", () => {
    expect(classifySpec("../x", "^1.0.0")).toEqual({ registry: false, reason: "not an npm package name" });
    expect(classifySpec("x", { version: "1" })).toEqual({ registry: false, reason: "not a string" });
  });
});

describe("manifests and workspaces", () => {
  test("non-registry specs are skipped with their reason; registry ones kept, aliases as their target", async () => {
    const dir = repo({
      "package.json": {
        name: "root",
        dependencies: { a: "^1.0.0", g: "github:user/repo", f: "file:./vendor/f", w: "workspace:^", t: "latest", al: "npm:real@~2.1.0" },
        devDependencies: { u: "https://example.test/u.tgz" },
      },
    });
    const e = await extractDependencies(dir);
    expect([e.ecosystem, e.lockfile, e.engineNode]).toEqual(["npm", null, null]);
    expect(lines(e)).toEqual(["package.json prod a@^1.0.0 -> null", "package.json prod al=real@~2.1.0 -> null"]);
    expect(skips(e)).toEqual([
      'g "github:user/repo": a git dependency',
      'f "file:./vendor/f": a local path',
      'w "workspace:^": a workspace: package of the repository',
      't "latest": the dist-tag "latest", not a version range',
      'u "https://example.test/u.tgz": a tarball URL',
    ]);
  });

  test("workspace globs: nested **, negations, Yarn's { packages }, globs leaving the checkout ignored", async () => {
    const dir = repo({
      "package.json": { name: "root", private: true, workspaces: { packages: ["packages/**", "!packages/legacy", "../outside/*", "/abs"] } },
      "packages/a/package.json": { name: "a", dependencies: { x: "^1.0.0" } },
      "packages/group/b/package.json": { name: "b", devDependencies: { y: "~2.0.0" } },
      "packages/legacy/package.json": { name: "legacy", dependencies: { z: "1.0.0" } },
      "packages/no-manifest/README.md": "nothing here\n",
      "packages/a/node_modules/dep/package.json": { name: "dep", dependencies: { q: "1.0.0" } },
    });
    const e = await extractDependencies(dir);
    expect(e.manifests.map((m) => `${m.kind} ${m.path} ${m.packageName}`)).toEqual(["root package.json root", "workspace packages/a/package.json a", "workspace packages/group/b/package.json b"]);
    expect(lines(e)).toEqual(["packages/a/package.json prod x@^1.0.0 -> null", "packages/group/b/package.json dev y@~2.0.0 -> null"]);
    expect(e.notes).toEqual([
      'package.json workspaces: the workspace glob "../outside/*" is not a folder glob inside the repository (ignored)',
      'package.json workspaces: the workspace glob "/abs" is not a folder glob inside the repository (ignored)',
    ]);
  });

  test("a workspace package depended on by range is the repository's own, not the registry's", async () => {
    const dir = repo({
      "package.json": { name: "root", workspaces: ["packages/*"] },
      "packages/a/package.json": { name: "a", dependencies: { b: "^1.0.0" } },
      "packages/b/package.json": { name: "b", version: "1.0.0" },
    });
    expect(skips(await extractDependencies(dir))).toEqual(['b "^1.0.0": a workspace package of the repository']);
  });

  test("links leading out of the checkout are not followed: a workspace manifest, a workspace folder, the lockfile", async () => {
    const outside = repo({ "package.json": { name: "outside", dependencies: { secret: "^9.0.0" } }, "package-lock.json": "{}" });
    const dir = repo({
      "package.json": { name: "root", workspaces: ["packages/*"], dependencies: { a: "^1.0.0" } },
      "packages/inside/README.md": "x\n",
      "packages/real/package.json": { name: "real", dependencies: { r: "^1.0.0" } },
    });
    symlinkSync(join(outside, "package.json"), join(dir, "packages/inside/package.json"));
    symlinkSync(outside, join(dir, "packages/linked-dir"));
    symlinkSync(join(outside, "package-lock.json"), join(dir, "package-lock.json"));
    // A link that stays inside is read.
    symlinkSync(join(dir, "packages/real/package.json"), join(dir, "packages/alias.json"));
    const e = await extractDependencies(dir);
    expect(e.manifests.map((m) => m.path)).toEqual(["package.json", "packages/real/package.json"]);
    expect(lines(e)).toEqual(["package.json prod a@^1.0.0 -> null", "packages/real/package.json prod r@^1.0.0 -> null"]);
    expect(e.lockfileProblem).toBe("package-lock.json: a symbolic link leading out of the checkout (not read)");
    expect(e.notes).toContain("packages/inside/package.json: a symbolic link leading out of the checkout (not read)");
  });

  test("the root manifest leading out, absent or malformed fails; a workspace's is a note", async () => {
    const outside = repo({ "package.json": { name: "outside" } });
    const linked = repo({ "README.md": "x\n" });
    symlinkSync(join(outside, "package.json"), join(linked, "package.json"));
    for (const dir of [linked, repo({ "README.md": "x\n" }), repo({ "package.json": "[1, 2]" }), repo({ "package.json": "{" })]) {
      const err = await extractDependencies(dir).catch((e: unknown) => e);
      expect(isPushpalsError(err, "invalid_input")).toBe(true);
    }
    const dir = repo({
      "package.json": { name: "root", workspaces: ["packages/*"], dependencies: "nope" },
      "packages/bad/package.json": "{ not json",
      "packages/big/package.json": `{"name": "big", "description": "${"x".repeat(MAX_MANIFEST_BYTES)}"}`,
      "packages/ok/package.json": { name: "ok", dependencies: { k: "^1.0.0" } },
    });
    const e = await extractDependencies(dir);
    expect(lines(e)).toEqual(["packages/ok/package.json prod k@^1.0.0 -> null"]);
    expect(e.notes).toEqual([
      "packages/bad/package.json: not valid JSON (not read)",
      `packages/big/package.json: larger than ${MAX_MANIFEST_BYTES / 1024} KiB (not read)`,
      'package.json: "dependencies" is not an object (not read)',
    ]);
  });
});

describe("locked versions from lockfiles in each format", () => {
  const manifest = { name: "root", dependencies: { a: "^1.0.0", "@s/b": "~2.0.0", al: "npm:real@^3.0.0" }, devDependencies: { missing: "^1.0.0" } };

  test("package-lock.json v1 (no packages section)", async () => {
    const lock = { lockfileVersion: 1, dependencies: { a: { version: "1.2.0" }, "@s/b": { version: "2.0.4" }, al: { version: "npm:real@3.1.0" } } };
    const e = await extractDependencies(repo({ "package.json": manifest, "package-lock.json": lock }));
    expect(lines(e)).toEqual(["package.json prod a@^1.0.0 -> 1.2.0", "package.json prod @s/b@~2.0.0 -> 2.0.4", "package.json prod al=real@^3.0.0 -> 3.1.0", "package.json dev missing@^1.0.0 -> null"]);
  });

  test("Yarn Berry's yarn.lock (npm: selectors)", async () => {
    const lock = [
      "__metadata:\n  version: 8\n  cacheKey: 10c0\n",
      '"a@npm:^1.0.0":\n  version: 1.3.0\n  resolution: "a@npm:1.3.0"\n  checksum: 10c0/aa\n',
      '"@s/b@npm:~2.0.0":\n  version: 2.0.1\n  resolution: "@s/b@npm:2.0.1"\n  checksum: 10c0/bb\n',
      '"al@npm:real@^3.0.0":\n  version: 3.2.0\n  resolution: "real@npm:3.2.0"\n  checksum: 10c0/cc\n',
      '"root@workspace:.":\n  version: 0.0.0-use.local\n  resolution: "root@workspace:."\n  languageName: unknown\n  linkType: soft\n',
    ].join("\n");
    const e = await extractDependencies(repo({ "package.json": { ...manifest, packageManager: "yarn@4.1.0" }, "yarn.lock": lock }));
    expect([e.ecosystem, e.lockfileProblem]).toEqual(["yarn", null]);
    expect(lines(e)).toEqual(["package.json prod a@^1.0.0 -> 1.3.0", "package.json prod @s/b@~2.0.0 -> 2.0.1", "package.json prod al=real@^3.0.0 -> 3.2.0", "package.json dev missing@^1.0.0 -> null"]);
  });

  test("pnpm-lock.yaml v6 (importers with peer suffixes) and v5 (a single project)", async () => {
    const v6 = [
      "lockfileVersion: '6.0'",
      "importers:",
      "  .:",
      "    dependencies:",
      "      a:\n        specifier: ^1.0.0\n        version: 1.4.0(react@18.2.0)",
      "      '@s/b':\n        specifier: ~2.0.0\n        version: 2.0.2",
      "      al:\n        specifier: npm:real@^3.0.0\n        version: /real@3.0.1",
      "packages:",
      "  /a@1.4.0(react@18.2.0):\n    resolution: {integrity: sha512-aa}",
      "  /@s/b@2.0.2:\n    resolution: {integrity: sha512-bb}",
      "",
    ].join("\n");
    const e6 = await extractDependencies(repo({ "package.json": manifest, "pnpm-lock.yaml": v6 }));
    expect(lines(e6)).toEqual(["package.json prod a@^1.0.0 -> 1.4.0", "package.json prod @s/b@~2.0.0 -> 2.0.2", "package.json prod al=real@^3.0.0 -> 3.0.1", "package.json dev missing@^1.0.0 -> null"]);
    const v5 = ["lockfileVersion: 5.4", "specifiers:\n  a: ^1.0.0\n  '@s/b': ~2.0.0", "dependencies:\n  a: 1.1.0_react@18.2.0\n  '@s/b': 2.0.3", "packages:\n  /a/1.1.0_react@18.2.0:\n    resolution: {integrity: sha512-aa}", ""].join("\n");
    const e5 = await extractDependencies(repo({ "package.json": manifest, "pnpm-lock.yaml": v5 }));
    expect(lines(e5).slice(0, 2)).toEqual(["package.json prod a@^1.0.0 -> 1.1.0", "package.json prod @s/b@~2.0.0 -> 2.0.3"]);
  });

  test("an unreadable lockfile: the versions are unknown, and it says why", async () => {
    const broken = await extractDependencies(repo({ "package.json": manifest, "package-lock.json": "{ nope" }));
    expect(broken.lockfileProblem).toStartWith("package-lock.json: not valid JSON");
    expect(broken.dependencies.every((d) => d.lockedVersion === null)).toBe(true);
    const binary = await extractDependencies(repo({ "package.json": manifest, "bun.lockb": "\u0000binary" }));
    expect([binary.ecosystem, binary.lockfile]).toEqual(["bun", "bun.lockb"]);
    expect(binary.lockfileProblem).toContain("a binary lockfile");
  });
});
