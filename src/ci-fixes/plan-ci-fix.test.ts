import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { allowedFixers, committedScripts, planCiFix, untrackedAt } from "./plan-ci-fix.ts";

let root: string;

function git(args: string[]): string {
  const r = Bun.spawnSync(["git", ...args], { cwd: root, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
}

/** Commits exactly `files` on top of what is there, returning the commit. */
function commit(files: Record<string, string | null>): string {
  for (const [path, text] of Object.entries(files)) {
    if (text === null) rmSync(join(root, path), { force: true });
    else {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
  }
  git(["add", "-A"]);
  git(["commit", "-q", "--allow-empty", "-m", "c"]);
  return git(["rev-parse", "HEAD"]);
}

const CONFIG = `[[checks.commands]]\nname = "lint"\nrun = "npm run lint"\n\n[[checks.commands]]\nname = "format"\nrun = "npm run format:check"\n`;
const lint = { name: "lint", run: "npm run lint" };
const format = { name: "format", run: "npm run format:check" };
const pkg = (scripts: Record<string, string>, extra: Record<string, unknown> = {}) => `${JSON.stringify({ name: "t", version: "1.0.0", scripts, ...extra }, null, 2)}\n`;

let withFixScript: string;
let toolOnly: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "pushpals-plan-ci-fix-"));
  git(["init", "-q", "-b", "main"]);
  git(["config", "user.email", "t@example.invalid"]);
  git(["config", "user.name", "T"]);
  withFixScript = commit({
    ".pushpals/config.toml": CONFIG,
    "package.json": pkg({ lint: "eslint src", "lint:fix": "eslint src --fix", "format:check": "prettier --check ." }),
    "package-lock.json": "{}\n",
    "src/a.js": "a\n",
    "src/b.js": "b\n",
  });
  toolOnly = commit({ "package.json": pkg({ lint: "eslint src", "format:check": "prettier --check ." }) });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("planCiFix", () => {
  test("a fix script: run as written; the files the failure named kept for the risk", async () => {
    const output = `> t@1.0.0 lint\n> eslint src\n\n/tmp/wt/a1-checks/src/a.js\n  1:1  error  Missing semicolon  semi\n\n✖ 1 problem (1 error, 0 warnings)`;
    expect(await planCiFix(root, withFixScript, lint, output)).toEqual({ fixer: "npm run lint:fix", files: ["src/a.js"], scoped: false, source: "script", why: 'the package.json script "lint:fix", the fix of "lint"' });
  });

  test("a tool's fix mode, confined to the files when the output names them all", async () => {
    const whole = "Checking formatting...\n[warn] src/a.js\n[warn] src/b.js\n[warn] Code style issues found in 2 files. Run Prettier with --write to fix.";
    expect(await planCiFix(root, toolOnly, format, whole)).toMatchObject({ fixer: "npm exec --no -- prettier src/a.js src/b.js --write", files: ["src/a.js", "src/b.js"], scoped: true, source: "tool" });
    // Cut from a longer output: the files it shows are kept (only they changing is Low), the fixer runs on what the check checks.
    const cut = "[warn] src/b.js\n[warn] Code style issues found in 9 files. Run Prettier with --write to fix.";
    expect(await planCiFix(root, toolOnly, format, cut)).toMatchObject({ fixer: "npm exec --no -- prettier . --write", files: ["src/b.js"], scoped: false });
  });

  test("no fixer, a check the commit does not configure, a bad commit: the reason", async () => {
    expect(await planCiFix(root, toolOnly, { name: "lint", run: "make lint" }, "")).toEqual({ reason: `lint (\`make lint\`) is not a check of the config committed at ${toolOnly.slice(0, 12)}` });
    const noFixer = commit({ "package.json": pkg({ lint: "eslint src && tsc", "format:check": "prettier --check ." }) });
    expect(await planCiFix(root, noFixer, lint, "")).toEqual({ reason: expect.stringContaining('package.json has no fix script for "lint" (lint:fix, lint-fix, fix:lint), and "lint" (`eslint src && tsc`) is not one simple command') });
    expect(await planCiFix(root, "main", lint, "")).toEqual({ reason: '"main" is not a full commit SHA' });
    const noManifest = commit({ "package.json": null });
    expect(await planCiFix(root, noManifest, lint, "")).toEqual({ reason: `${noManifest.slice(0, 12)} has no package.json, so it has no scripts or tools PushPals knows the fix mode of` });
  });

  test("the package manager: the committed setting, else the packageManager field, else the lockfile", async () => {
    expect(await committedScripts(root, withFixScript)).toMatchObject({ packageManager: "npm" });
    const pnpmLock = commit({ "package.json": pkg({ lint: "eslint ." }), "package-lock.json": null, "pnpm-lock.yaml": "lockfileVersion: '9.0'\n" });
    expect(await committedScripts(root, pnpmLock)).toMatchObject({ packageManager: "pnpm", scripts: { lint: "eslint ." } });
    const field = commit({ "package.json": pkg({ lint: "eslint ." }, { packageManager: "yarn@4.5.0" }) });
    expect(await committedScripts(root, field)).toMatchObject({ packageManager: "yarn" });
    const setting = commit({ ".pushpals/config.toml": `${CONFIG}\n[install]\npackage_manager = "bun"\n` });
    expect(await committedScripts(root, setting)).toMatchObject({ packageManager: "bun" });
    expect(await planCiFix(root, setting, lint, "")).toMatchObject({ fixer: "bun run eslint . --fix" });
  });

  test("what a job may run: the fixer with the files and the one without, nothing else", async () => {
    const allowed = await allowedFixers(root, toolOnly, format, ["src/a.js"]);
    expect("fixers" in allowed && allowed.fixers.map((f) => f.command)).toEqual(["npm exec --no -- prettier src/a.js --write", "npm exec --no -- prettier . --write"]);
    expect(await untrackedAt(root, toolOnly, ["src/a.js", "src/nope.js", "src/*.js"])).toEqual(["src/nope.js", "src/*.js"]);
  });
});
