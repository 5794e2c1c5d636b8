import { describe, expect, test } from "bun:test";
import { PackageScripts } from "./package-scripts.ts";
import { selectScripts } from "./script-families.ts";

const select = (scripts: Record<string, string>) => selectScripts(new PackageScripts(scripts));
const COMMANDER = {
  check: "npm run check:type && npm run check:lint && npm run check:format",
  "check:format": "prettier --check .",
  "check:lint": "eslint .",
  "check:type": "npm run check:type:js && npm run check:type:ts",
  "check:type:ts": "tsd && tsc -p typings",
  "check:type:js": "tsc -p tsconfig.js.json",
  fix: "npm run fix:lint && npm run fix:format",
  "fix:format": "prettier --write .",
  "fix:lint": "eslint --fix .",
  test: "jest && npm run check:type:ts",
};

describe("which scripts are checks", () => {
  test.each<[string, Record<string, string>, string[]]>([
    ["the usual names, in the usual order", { build: "vite build", test: "vitest", lint: "eslint .", typecheck: "tsc" }, ["typecheck", "lint", "test", "build"]],
    ["type-check is a typecheck too", { "type-check": "tsc --noEmit", test: "jest" }, ["type-check", "test"]],
    ["an aggregate that only runs its parts is configured as the parts (commander.js)", COMMANDER, ["check:type", "check:lint", "check:format", "test"]],
    ["an aggregate that does more is configured itself, and covers the parts it runs", { check: "npm run check:lint && node scripts/verify.js", "check:lint": "eslint ." }, ["check"]],
    ["run-s with a pattern is an aggregate too", { lint: "run-s lint:*", "lint:js": "eslint .", "lint:css": "stylelint '**/*.css'" }, ["lint:js", "lint:css"]],
    ["without a base, every part is a check", { "lint:js": "eslint .", "lint:md": "markdownlint .", "lint:fix": "eslint --fix ." }, ["lint:js", "lint:md"]],
    ["check:type(s) and check:format without a check script", { "check:types": "tsc", "check:format": "prettier -c ." }, ["check:types", "check:format"]],
    ["format:check is the format check", { format: "prettier -w .", "format:check": "prettier --check ." }, ["format:check"]],
    ["a script another configured one runs is configured once", { lint: "eslint .", test: "npm run lint && jest" }, ["test"]],
    ["two scripts with the same command: the first", { lint: "eslint .", "check:lint": "eslint ." }, ["lint"]],
    ["never a script that rewrites files, watches or serves", { format: "prettier --write .", "lint:fix": "eslint . --fix", "test:watch": "vitest", dev: "vite", "test:update": "jest -u", test: "jest" }, ["test"]],
    ["lint that fixes is not a check, its checking parts are", { lint: "eslint --fix .", "lint:ci": "eslint ." }, ["lint:ci"]],
    ["browser tests are not checks here, directly or through a script they run", { test: "vitest run", "test:e2e": "playwright test", e2e: "cypress run", "test:all": "npm test && npm run test:e2e" }, ["test"]],
  ])("%s", (_, scripts, checks) => {
    expect(select(scripts).checks).toEqual(checks);
  });
});

describe("why the others are not", () => {
  test("each left-out family member has a reason", () => {
    const { skipped } = select({ ...COMMANDER, lint: "eslint --fix .", "test:e2e": "playwright test", "test:unit": "vitest run unit" });
    expect(skipped).toEqual(
      expect.arrayContaining([
        { script: "check", why: "runs check:type, check:lint, check:format, which are configured one by one" },
        { script: "lint", why: "rewrites files, so it is not a check" },
        { script: "test:e2e", why: "needs a browser (playwright), so it is not a check" },
        { script: "test:unit", why: 'is not run by "test"; add it to .pushpals/config.toml if it is a check' },
      ]),
    );
  });

  test("npm's placeholder test script, and a plain format script when nothing checks formatting", () => {
    const { checks, skipped } = select({ test: 'echo "Error: no test specified" && exit 1', format: "prettier --write ." });
    expect(checks).toEqual([]);
    expect(skipped).toEqual([
      { script: "test", why: 'is npm\'s placeholder ("no test specified"), so it is not a check' },
      { script: "format", why: 'rewrites files, so it is not a check; add a "format:check" script to check formatting' },
    ]);
  });

  test("covered and duplicate scripts say by what", () => {
    expect(select({ lint: "eslint .", test: "npm run lint && jest" }).skipped).toEqual([{ script: "lint", why: 'is already run by "test"' }]);
    expect(select({ lint: "eslint .", "check:lint": "eslint ." }).skipped).toEqual([{ script: "check:lint", why: 'runs the same command as "lint"' }]);
  });
});

describe("PackageScripts", () => {
  const scripts = new PackageScripts(COMMANDER);

  test("callees, aggregates and what a script reaches", () => {
    expect(scripts.callees("check")).toEqual(["check:type", "check:lint", "check:format"]);
    expect(scripts.isAggregate("check")).toBe(true);
    expect(scripts.isAggregate("test")).toBe(false);
    expect([...scripts.reachable("check")].sort()).toEqual(["check:format", "check:lint", "check:type", "check:type:js", "check:type:ts"]);
    expect(new PackageScripts({ a: "npm run b", b: "npm run a" }).reachable("a")).toEqual(new Set(["b", "a"]));
  });

  test("npm-run-all patterns: `*` stays in one segment, `**` crosses them", () => {
    expect(scripts.matching("check:*")).toEqual(["check:format", "check:lint", "check:type"]);
    expect(scripts.matching("check:**")).toEqual(["check:format", "check:lint", "check:type", "check:type:ts", "check:type:js"]);
  });

  test.each([
    ["fix", "rewrites files"],
    ["check:format", null],
    ["check", null],
  ])("notACheck(%s) is %p", (name, why) => {
    expect(scripts.notACheck(name)).toBe(why);
  });
});
