import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { detectProject } from "./detect.ts";

const dirs: { cleanup: () => void }[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.cleanup();
});

function project(files: Record<string, string>): string {
  const dir = tempDir("pushpals-detect-");
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir.path, name, ".."), { recursive: true });
    writeFileSync(join(dir.path, name), content);
  }
  return dir.path;
}

const pkg = (scripts: Record<string, string>, extra: Record<string, unknown> = {}) => JSON.stringify({ name: "x", scripts, ...extra });
const ALL = { typecheck: "tsc", lint: "eslint .", test: "vitest", build: "vite build", format: "prettier -w ." };

describe("JavaScript repositories", () => {
  test("npm: every check script, in order; a plain format script is not a check and is noted", () => {
    const d = detectProject(project({ "package.json": pkg(ALL), "package-lock.json": "{}" }));
    expect(d).toMatchObject({ packageManager: "npm", packageManagerSource: "package-lock.json", lockfile: "package-lock.json" });
    expect(d.checks).toEqual([
      { name: "typecheck", run: "npm run typecheck" },
      { name: "lint", run: "npm run lint" },
      { name: "test", run: "npm test -- --reporter=default --reporter=junit --outputFile.junit=.git/pushpals-report-test.xml", report: ".git/pushpals-report-test.xml" },
      { name: "build", run: "npm run build" },
    ]);
    expect(d.notes.join("\n")).toMatch(/"format" script rewrites files.*format:check/);
  });

  test("format:check is the format check", () => {
    const d = detectProject(project({ "package.json": pkg({ ...ALL, "format:check": "prettier -c ." }), "package-lock.json": "{}" }));
    expect(d.checks.at(-1)).toEqual({ name: "format:check", run: "npm run format:check" });
    expect(d.notes).toEqual([]);
  });

  test.each([
    ["pnpm-lock.yaml", "pnpm", "pnpm test", "pnpm run lint"],
    ["yarn.lock", "yarn", "yarn test", "yarn run lint"],
    ["bun.lock", "bun", "bun run test", "bun run lint"],
    ["bun.lockb", "bun", "bun run test", "bun run lint"],
  ])("%s means %s (`%s`, `%s`)", (lockfile, pm, testRun, lintRun) => {
    const d = detectProject(project({ "package.json": pkg({ test: "t", lint: "l" }), [lockfile]: "" }));
    expect(d).toMatchObject({ packageManager: pm, lockfile });
    expect(d.checks).toEqual([
      { name: "lint", run: lintRun },
      { name: "test", run: testRun },
    ]);
  });

  test("bun never gets `bun test`, which would run Bun's own test runner instead of the script", () => {
    const d = detectProject(project({ "package.json": pkg({ test: "jest" }), "bun.lock": "" }));
    expect(d.checks).toEqual([{ name: "test", run: "bun run test" }]);
  });

  test("the packageManager field wins over a lockfile", () => {
    const d = detectProject(project({ "package.json": pkg({ test: "t" }, { packageManager: "pnpm@9.1.0" }), "pnpm-lock.yaml": "", "package-lock.json": "{}" }));
    expect(d).toMatchObject({ packageManager: "pnpm", lockfile: "pnpm-lock.yaml", checks: [{ name: "test", run: "pnpm test" }] });
    expect(d.packageManagerSource).toContain("packageManager");
    expect(d.notes.join("\n")).toMatch(/other package managers \(npm\)/);
  });

  test("a packageManager field whose lockfile is missing: the field wins and the mismatch is noted", () => {
    const d = detectProject(project({ "package.json": pkg({ test: "t" }, { packageManager: "yarn@4.0.0" }), "package-lock.json": "{}" }));
    expect(d).toMatchObject({ packageManager: "yarn", lockfile: null, checks: [{ name: "test", run: "yarn test" }] });
    expect(d.notes.join("\n")).toMatch(/says yarn but the lockfile is package-lock\.json/);
  });

  test("no lockfile: npm, with a note saying how to fix it", () => {
    const d = detectProject(project({ "package.json": pkg({ test: "t" }) }));
    expect(d).toMatchObject({ packageManager: "npm", lockfile: null });
    expect(d.notes.join("\n")).toMatch(/no lockfile for npm: run `npm install` and commit the lockfile/);
  });

  test("npm's placeholder test script and no other scripts: no checks, and notes why", () => {
    const d = detectProject(project({ "package.json": pkg({ test: 'echo "Error: no test specified" && exit 1' }), "package-lock.json": "{}" }));
    expect(d.checks).toEqual([]);
    expect(d.notes.join("\n")).toMatch(/no test specified/);
    expect(d.notes.join("\n")).toMatch(/no test command detected.*\[\[checks\.commands\]\]/);
  });

  test("a broken package.json is a note, not a crash", () => {
    expect(detectProject(project({ "package.json": "{ nope" })).notes.join("\n")).toMatch(/not valid JSON/);
    expect(detectProject(project({ "package.json": "[1]" })).notes.join("\n")).toMatch(/not a JSON object/);
    expect(detectProject(project({ "package.json": JSON.stringify({ scripts: { test: 5 } }) })).checks).toEqual([]);
  });
});

describe("other repositories", () => {
  test.each([
    [{ "Cargo.toml": "[package]\nname = 'x'\n" }, "cargo test"],
    [{ "pyproject.toml": "[tool.pytest.ini_options]\n" }, "python3 -m pytest"],
    [{ "pytest.ini": "[pytest]\n" }, "python3 -m pytest"],
    [{ Makefile: "all: build\n\ntest: build\n\t./run-tests\n" }, "make test"],
    [{ Makefile: ".PHONY: unit\nunit test: build\n\t./run-tests\n" }, "make test"],
  ])("%o gets `%s`", (files, run) => {
    const d = detectProject(project(files));
    expect(d).toMatchObject({ packageManager: null, packageManagerSource: null, lockfile: null, checks: [{ name: "test", run }], notes: [] });
  });

  test.each([
    [{ "README.md": "# hi\n" }],
    [{ Makefile: "TEST := 1\ntest := x\nunit-test:\n\ttrue\n.PHONY: test\n" }],
    [{ "pyproject.toml": "[project]\nname = 'x'\n" }],
  ])("nothing recognisable (%o): no commands and a note", (files) => {
    const d = detectProject(project(files));
    expect(d.checks).toEqual([]);
    expect(d.notes).toEqual([expect.stringMatching(/no test command detected/)]);
  });
});
