import { afterAll, expect, test } from "bun:test";
import { chmodSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { classifyRisk } from "./classify-risk.ts";
import { classificationInputFromGit, parseNumstat } from "./from-git.ts";
import { DEFAULT_POLICY } from "./policy-defaults.ts";

const dir = tempDir("pushpals-policy-git-");
afterAll(dir.cleanup);
const root = dir.path;

function git(...args: string[]): string {
  const r = Bun.spawnSync(["git", ...args], { cwd: root, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
}

function write(path: string, content: string | Uint8Array): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

const manifest = (extra: Record<string, unknown>) => `${JSON.stringify({ name: "app", main: "./src/main.ts", ...extra }, null, 2)}\n`;
const BINARY = new Uint8Array([0, 1, 2, 3, 0, 255, 254]);

git("init", "-q", "-b", "main");
git("config", "user.email", "t@example.invalid");
git("config", "user.name", "T");
write("package.json", manifest({ dependencies: { a: "^1.0.0" }, scripts: { test: "bun test" } }));
write("src/main.ts", "export const x = 1;\n");
write("src/util.ts", "export const y = 2;\n");
write("migrations/001.sql", "create table t (id int);\n");
write("packages/x/package.json", '{ "name": "x" }\n');
write("packages/x/index.ts", "export {};\n");
write("logo.png", BINARY);
write("data.bin", BINARY);
write("tools/keep.sh", "echo keep\n");
chmodSync(join(root, "tools/keep.sh"), 0o755);
git("add", "-A");
git("commit", "-q", "-m", "base");
const base = git("rev-parse", "HEAD");

write("package.json", manifest({ dependencies: { a: "^1.0.1" }, scripts: { test: "bun test", lint: "eslint ." } }));
write("src/main.ts", 'export const x = 1;\nconst r = await fetch("https://example.com");\n');
write("src/util.ts", "export const y = 3;\n");
renameSync(join(root, "migrations"), join(root, "archive"));
write("packages/x/index.ts", "export const z = 1;\n");
renameSync(join(root, "logo.png"), join(root, "logo-moved.png"));
write("data.bin", new Uint8Array([...BINARY, 7]));
write("tools/new.sh", "echo new\n");
chmodSync(join(root, "tools/new.sh"), 0o755);
write("tools/keep.sh", "echo kept\n");
write("we\tird.ts", 'import http from "node:http";\n');
write("bun.lock", "lock\n");
git("add", "-A");
git("commit", "-q", "-m", "head");
const head = git("rev-parse", "HEAD");

test("builds the classifier's input from two commits", async () => {
  const input = await classificationInputFromGit(root, base, head, "low", "codemod");
  expect(input.declared).toBe("low");
  expect(input.role).toBe("codemod");
  const byPath = Object.fromEntries(input.files.map((f) => [f.path, f]));
  expect(byPath["package.json"]).toEqual({ path: "package.json", status: "modified", additions: 3, deletions: 2 });
  expect(byPath["src/main.ts"]).toMatchObject({ status: "modified", additions: 1, deletions: 0 });
  expect(byPath["archive/001.sql"]).toMatchObject({ status: "renamed", oldPath: "migrations/001.sql", additions: 0, deletions: 0 });
  expect(byPath["logo-moved.png"]).toMatchObject({ status: "renamed", oldPath: "logo.png" });
  expect(byPath["logo-moved.png"]!.binary).toBeUndefined();
  expect(byPath["data.bin"]).toMatchObject({ status: "modified", binary: true, additions: 0, deletions: 0 });
  expect(byPath["tools/new.sh"]).toMatchObject({ status: "added", executable: true });
  expect(byPath["tools/keep.sh"]).toMatchObject({ executable: true, oldExecutable: true });
  expect(byPath["we\tird.ts"]).toMatchObject({ status: "added", additions: 1 });
  expect(input.packageRoots?.sort()).toEqual(["", "packages/x"]);
  expect(input.manifests?.map((m) => m.path)).toEqual(["package.json", "packages/x/package.json"]);
  expect(input.manifests?.[0]?.before).toMatchObject({ dependencies: { a: "^1.0.0" } });
  expect(input.manifests?.[0]?.after).toMatchObject({ dependencies: { a: "^1.0.1" } });
  const patches = Object.fromEntries((input.patches ?? []).map((p) => [p.path, p]));
  expect(patches["src/main.ts"]).toEqual({ path: "src/main.ts", added: ['const r = await fetch("https://example.com");'], removed: [] });
  expect(patches["we\tird.ts"]?.added).toEqual(['import http from "node:http";']);
  expect(patches["tools/new.sh"]?.added).toEqual(["echo new"]);
  expect(patches["bun.lock"]).toBeUndefined();
  expect(input.lockfiles).toEqual([{ path: "bun.lock", before: null, after: "lock\n" }]);
});

test("the input classifies as every rule it shows", async () => {
  const input = await classificationInputFromGit(root, base, head, "low", "codemod");
  const out = classifyRisk(input, DEFAULT_POLICY);
  expect(out.tier).toBe("high");
  expect(out.reasons.map((r) => r.rule)).toEqual([
    "declared",
    "protected_path",
    "lockfile.unreadable",
    "dependency.patch",
    "public_api",
    "new_capability.script",
    "new_capability.binary",
    "new_capability.executable",
    "new_capability.network",
  ]);
  expect(out.reasons.find((r) => r.rule === "public_api")?.paths).toEqual(["packages/x/index.ts", "src/main.ts"]);
  expect(out.reasons.find((r) => r.rule === "new_capability.network")?.paths).toEqual(["src/main.ts", "we\tird.ts"]);
});

test("a package.json that does not parse is left out, so the classifier calls it unread", async () => {
  write("package.json", "{ not json");
  git("add", "package.json");
  git("commit", "-q", "-m", "broken");
  const broken = git("rev-parse", "HEAD");
  const input = await classificationInputFromGit(root, head, broken);
  expect(input.manifests?.map((m) => m.path)).toEqual([]);
  expect(classifyRisk(input, DEFAULT_POLICY).reasons.map((r) => r.rule)).toEqual(["manifest.unread"]);
});

test("refuses anything but full SHAs", async () => {
  await expect(classificationInputFromGit(root, "HEAD~1", head)).rejects.toThrow(/not a full commit SHA/);
});

test("parses numstat -z, renames and binaries included", () => {
  expect([...parseNumstat("3\t1\ta\tb\0-\t-\tbin\0" + "0\t0\t\0old\0new\0")]).toEqual([
    ["a\tb", { additions: 3, deletions: 1, binary: false }],
    ["bin", { additions: 0, deletions: 0, binary: true }],
    ["new", { additions: 0, deletions: 0, binary: false }],
  ]);
});

test("both sides of changed lockfiles are read, so a redirection is High even for the dependency role", async () => {
  const url = (host: string) => `https://${host}/lodash/-/lodash-4.17.21.tgz`;
  const lock = (host: string) => `${JSON.stringify({ lockfileVersion: 3, packages: { "": {}, "node_modules/lodash": { version: "4.17.21", resolved: url(host), integrity: "sha512-a" } } }, null, 2)}\n`;
  write("web/package-lock.json", lock("registry.npmjs.org"));
  git("add", "-A");
  git("commit", "-q", "-m", "lockfile");
  const before = git("rev-parse", "HEAD");
  write("web/package-lock.json", lock("evil.example"));
  write("web/yarn.lock", "# yarn lockfile v1\n\nbroken\n");
  git("add", "-A");
  git("commit", "-q", "-m", "redirect");
  const after = git("rev-parse", "HEAD");
  const input = await classificationInputFromGit(root, before, after, undefined, "dependency_steward");
  expect(input.lockfiles?.map((l) => [l.path, l.before?.includes("registry.npmjs.org"), l.after?.includes("evil.example")])).toEqual([
    ["web/package-lock.json", true, true],
    ["web/yarn.lock", undefined, false],
  ]);
  const out = classifyRisk(input, DEFAULT_POLICY);
  expect(out.tier).toBe("high");
  expect(out.reasons.map((r) => r.rule)).toEqual(["lockfile.redirected", "lockfile.unreadable"]);
  expect(out.reasons[0]?.message).toContain(`web/package-lock.json: lodash@4.17.21: resolved ${url("registry.npmjs.org")} -> ${url("evil.example")}`);
  expect(out.reasons[1]?.paths).toEqual(["web/yarn.lock"]);
});
