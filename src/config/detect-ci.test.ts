import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { detectProject } from "./detect.ts";

const dirs: { cleanup: () => void }[] = [];
afterAll(() => dirs.forEach((d) => d.cleanup()));

function project(files: Record<string, string>): string {
  const dir = tempDir("pushpals-detect-ci-");
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir.path, name, ".."), { recursive: true });
    writeFileSync(join(dir.path, name), content);
  }
  return dir.path;
}

const SCRIPTS = { "check:type": "tsc --noEmit", lint: "eslint .", test: "vitest run", build: "vite build", "lint:fix": "eslint --fix ." };
const npmRepo = (workflow: string, scripts: Record<string, string> = SCRIPTS) => ({
  "package.json": JSON.stringify({ name: "x", scripts }),
  "package-lock.json": "{}",
  ".github/workflows/ci.yml": workflow,
});
const workflow = (...runs: string[]) => `on: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n${runs.map((r) => `      - run: ${r}\n`).join("")}`;

describe("checks from the repository's own CI", () => {
  test("exactly the package scripts CI calls, in CI's order; the scripts CI does not run are named in a note", () => {
    const d = detectProject(project(npmRepo(workflow("npm ci", "npm test", "npm run check:type", "npm run lint"))));
    expect(d.checks).toEqual([
      { name: "test", run: "npm test -- --reporter=default --reporter=junit --outputFile.junit=.git/pushpals-report-test.xml", report: ".git/pushpals-report-test.xml" },
      { name: "check:type", run: "npm run check:type" },
      { name: "lint", run: "npm run lint" },
    ]);
    expect(d.ciFiles).toEqual([".github/workflows/ci.yml"]);
    expect(d.ci.map((r) => [r.where, r.ci, r.check])).toEqual([
      ["ci.yml test", "npm ci", null],
      ["ci.yml test", "npm test", "test"],
      ["ci.yml test", "npm run check:type", "check:type"],
      ["ci.yml test", "npm run lint", "lint"],
    ]);
    expect(d.notes).toContain('package.json also has "build", which CI does not run: not configured (add it to .pushpals/config.toml to check it too)');
  });

  test("CI that calls no package script: the usual scripts, and the table says each is not run by CI", () => {
    const d = detectProject(project(npmRepo(workflow("npm ci", "npx eslint ."))));
    expect(d.checks.map((c) => c.name)).toEqual(["lint", "check:type", "test", "build"]);
    expect(d.notes).toContain('the "lint:fix" script rewrites files, so it is not a check');
    expect(d.ci.map((r) => [r.ci, r.check, r.why])).toEqual([
      ["npm ci", null, "installs dependencies; PushPals installs from the lockfile itself before the checks"],
      ["npx eslint .", null, "runs eslint without a package script; add a script for it to configure it from CI"],
      ["", "lint", 'not run by CI; from the "lint" script'],
      ["", "check:type", 'not run by CI; from the "check:type" script'],
      ["", "test", 'not run by CI; from the "test" script'],
      ["", "build", 'not run by CI; from the "build" script'],
    ]);
  });

  test("CI whose only script calls need secrets or services: those are not configured, with the reason, and the usual scripts are", () => {
    const files = npmRepo(`on: push\njobs:\n  db:\n    services:\n      postgres: { image: postgres }\n    steps:\n      - run: npm test\n  release:\n    steps:\n      - run: npm run build\n        env:\n          NPM_TOKEN: \${{ secrets.NPM_TOKEN }}\n`);
    const d = detectProject(project(files));
    expect(d.ci.slice(0, 2).map((r) => [r.ci, r.check, r.why])).toEqual([
      ["npm test", null, "needs services (postgres)"],
      ["npm run build", null, "needs secrets (${{ secrets.* }})"],
    ]);
    expect(d.checks.map((c) => c.name)).toEqual(["lint", "check:type", "test", "build"]);
  });

  test("pnpm -r test in a pnpm workspace is configured as CI runs it", () => {
    const d = detectProject(project({ "package.json": JSON.stringify({ name: "root", private: true }), "pnpm-lock.yaml": "", ".github/workflows/ci.yml": workflow("pnpm install --frozen-lockfile", "pnpm -r test") }));
    expect(d).toMatchObject({ packageManager: "pnpm", checks: [{ name: "test", run: "pnpm -r test" }] });
  });

  test("without any CI file: the usual scripts, and no table", () => {
    const d = detectProject(project({ "package.json": JSON.stringify({ scripts: SCRIPTS }), "package-lock.json": "{}" }));
    expect(d).toMatchObject({ ciFiles: [], ci: [] });
    expect(d.checks.map((c) => c.name)).toEqual(["lint", "check:type", "test", "build"]);
  });
});
