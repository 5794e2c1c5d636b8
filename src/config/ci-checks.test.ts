import { describe, expect, test } from "bun:test";
import { checksFromCi, compareWithCi, type CiRow, type PackageContext } from "./ci-checks.ts";
import type { CiStep } from "./ci/ci-source.ts";
import { PackageScripts } from "./package-scripts.ts";

const SCRIPTS = {
  "check:type": "tsc --noEmit",
  lint: "eslint .",
  test: "vitest run",
  check: "npm run check:type && npm run lint",
  format: "prettier --write .",
  "test:e2e": "playwright test",
};
const pkg = (runner: string, scripts: Record<string, string> = SCRIPTS): PackageContext => ({
  scripts: new PackageScripts(scripts),
  runner,
  runScript: (s) => (s === "test" ? `${runner} test` : `${runner} run ${s}`),
});
const step = (run: string, blocked?: string): CiStep => (blocked ? { where: "ci.yml test", run, blocked } : { where: "ci.yml test", run });
const row = (ci: string, check: string | null, why = "", blocked = false): CiRow => ({ where: "ci.yml test", ci, check, why, blocked });
const runs = (steps: CiStep[], context: PackageContext | null = pkg("npm")) => checksFromCi(steps, context).checks.map((c) => [c.name, c.run]);

describe("the checks CI runs", () => {
  test.each<[string, CiStep[], PackageContext | null, string[][]]>([
    ["npm run check:type, npm run lint, npm test: those three, in CI's order", [step("npm ci"), step("npm run check:type"), step("npm run lint"), step("npm test")], pkg("npm"), [["check:type", "npm run check:type"], ["lint", "npm run lint"], ["test", "npm test"]]],
    ["a multi-line run block with &&", [step("npm ci\nnpm run lint && npm test -- --coverage\n")], pkg("npm"), [["lint", "npm run lint"], ["test", "npm test -- --coverage"]]],
    ["pnpm -r test in a pnpm repository: as CI runs it", [step("pnpm install --frozen-lockfile"), step("pnpm -r test")], pkg("pnpm", {}), [["test", "pnpm -r test"]]],
    ["CI's package manager differs from the repository's: the repository's", [step("yarn lint")], pkg("npm"), [["lint", "npm run lint"]]],
    ["a script run twice is configured once", [step("npm test"), step("npm test")], pkg("npm"), [["test", "npm test"]]],
    ["an aggregate CI runs covers its parts CI also runs", [step("npm run lint"), step("npm run check")], pkg("npm"), [["check", "npm run check"]]],
    ["bun test is Bun's runner, configured as written", [step("bun install"), step("bun test --coverage")], pkg("bun", {}), [["bun test", "bun test --coverage"]]],
    ["no package.json: nothing from CI", [step("npm test")], null, []],
  ])("%s", (_, steps, context, expected) => {
    expect(runs(steps, context)).toEqual(expected);
  });
});

describe("one row per CI command, with why it differs", () => {
  test.each<[string, CiStep, CiRow[]]>([
    ["configured as CI runs it", step("npm run lint"), [row("npm run lint", "lint")]],
    ["an install", step("npm ci"), [row("npm ci", null, "installs dependencies; PushPals installs from the lockfile itself before the checks")]],
    ["a script package.json does not have", step("npm run typecheck"), [row("npm run typecheck", null, 'package.json has no "typecheck" script')]],
    ["a script that rewrites files", step("npm run format"), [row("npm run format", null, 'the "format" script rewrites files')]],
    ["a browser test script", step("npm run test:e2e"), [row("npm run test:e2e", null, 'the "test:e2e" script needs a browser (playwright)')]],
    ["installing a browser", step("npx playwright install --with-deps"), [row("npx playwright install --with-deps", null, "needs a browser (playwright)")]],
    ["a tool run with npx", step("npx tsc --noEmit"), [row("npx tsc --noEmit", null, "runs tsc without a package script; add a script for it to configure it from CI")]],
    ["not a package script", step("./scripts/smoke.sh"), [row("./scripts/smoke.sh", null, "not a package script: init takes only package scripts from CI; add it by hand if it is a check")]],
    ["in a subfolder", step("cd docs && npm run build"), [row("npm run build", null, "runs in docs; checks run from the repository root (add `cd docs && …` by hand)")]],
    ["a GitHub expression", step("npm run ${{ inputs.task }}"), [row("npm run ${{ inputs.task }}", null, "uses a CI expression (${{ … }}) that only CI resolves")]],
    ["a step CI's setup blocks: each of its commands, with the reason", step("npm ci\nnpm run test:db", "needs services (postgres)"), [row("npm ci", null, "needs services (postgres)", true), row("npm run test:db", null, "needs services (postgres)", true)]],
    ["a whole blocked job", step("", "a manual job"), [row("(every command)", null, "a manual job", true)]],
    ["workspace flags of another package manager", step("pnpm -r test"), [row("pnpm -r test", null, "uses pnpm's workspace flags, but this repository installs with npm")]],
  ])("%s", (_, ciStep, expected) => {
    expect(checksFromCi([ciStep], pkg("npm")).rows).toEqual(expected);
  });

  test("repeats and covered scripts name the check that runs them", () => {
    const { rows } = checksFromCi([step("npm test"), step("npm run test"), step("npm run lint"), step("npm run check")], pkg("npm"));
    expect(rows.map((r) => [r.ci, r.check, r.why])).toEqual([
      ["npm test", "test", ""],
      ["npm run test", "test", '"test" is already configured as `npm test`'],
      ["npm run lint", null, 'already run by "check"'],
      ["npm run check", "check", ""],
    ]);
  });

  test("yarn in CI, npm here: configured with npm, and the row says so", () => {
    expect(checksFromCi([step("yarn lint")], pkg("npm")).rows).toEqual([row("yarn lint", "lint", "CI runs it with yarn; configured with npm, which this repository installs with")]);
  });
});

test("compareWithCi: a CI command that is a proposed check is that check; a proposed check CI does not run gets its own row", () => {
  const { rows } = checksFromCi([step("go vet ./..."), step("go test -race ./..."), step("go test ./...", "needs services (redis)")], null);
  const compared = compareWithCi(rows, [
    { name: "vet", run: "go vet ./...", script: null, from: "from go.mod" },
    { name: "test", run: "go test ./...", script: null, from: "from go.mod" },
  ]);
  expect(compared.map((r) => [r.where, r.ci, r.check, r.why])).toEqual([
    ["ci.yml test", "go vet ./...", "vet", ""],
    ["ci.yml test", "go test -race ./...", null, "not a package script: init takes only package scripts from CI; add it by hand if it is a check"],
    ["ci.yml test", "go test ./...", null, "needs services (redis)"],
    ["", "", "test", "not run by CI; from go.mod"],
  ]);
});
