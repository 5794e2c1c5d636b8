import { describe, expect, test } from "bun:test";
import { reviewRows, type Row, type Side } from "./tests-fixture.ts";

const weakened = (file: string, line: number | null, severity: Row[1] = "request_changes"): Row => ["test_config_weakened", severity, file, line];

const VITEST = 'import { defineConfig } from "vitest/config";\nexport default defineConfig({\n  test: {\n    include: ["src/**/*.test.ts"],\n  },\n});\n';
const VITE = 'import { defineConfig } from "vite";\nexport default defineConfig({\n  plugins: [],\n  test: {\n    environment: "node",\n  },\n});\n';
const JEST = 'module.exports = {\n  testMatch: ["**/*.test.js", "**/*.spec.js"],\n};\n';

const CASES: Array<[string, string, Side, Side, Row[]]> = [
  ["vitest: test.exclude added", "vitest.config.ts", VITEST, VITEST.replace('    include: ["src/**/*.test.ts"],\n', '    include: ["src/**/*.test.ts"],\n    exclude: ["src/slow/**"],\n'), [weakened("vitest.config.ts", 5)]],
  ["vitest: test.include narrowed", "vitest.config.ts", VITEST, VITEST.replace("src/**/*.test.ts", "src/core/**/*.test.ts"), [weakened("vitest.config.ts", 4)]],
  ["vitest: test.root changed", "vitest.config.mts", VITEST, VITEST.replace("  test: {\n", '  test: {\n    root: "empty",\n'), [weakened("vitest.config.mts", 4)]],
  ["vite: test.passWithNoTests turned on", "vite.config.ts", VITE, VITE.replace('environment: "node",', 'environment: "node",\n    passWithNoTests: true,'), [weakened("vite.config.ts", 6)]],
  ["vite: test.bail set", "vite.config.js", VITE, VITE.replace('environment: "node",', 'environment: "node", bail: 1,'), [weakened("vite.config.js", 5)]],
  ["vitest: allowOnly turned on", "vitest.config.ts", VITEST, VITEST.replace("  test: {\n", "  test: {\n    allowOnly: true,\n"), [weakened("vitest.config.ts", 4)]],
  ["jest.config: testPathIgnorePatterns added", "jest.config.js", JEST, JEST.replace("};", '  testPathIgnorePatterns: ["/integration/"],\n};'), [weakened("jest.config.js", 3)]],
  ["jest.config: testMatch narrowed", "jest.config.js", JEST, JEST.replace(', "**/*.spec.js"', ""), [weakened("jest.config.js", 2)]],
  ["jest.config: passWithNoTests", "jest.config.cjs", JEST, JEST.replace("};", "  passWithNoTests: true,\n};"), [weakened("jest.config.cjs", 3)]],
  ["jest.config: a value the reviewer cannot evaluate", "jest.config.ts", JEST, JEST.replace('["**/*.test.js", "**/*.spec.js"]', "patterns()"), [weakened("jest.config.ts", 2)]],
  ["jest.config.json: roots narrowed", "jest.config.json", '{ "roots": ["src", "lib"] }\n', '{ "roots": ["src"] }\n', [weakened("jest.config.json", 1)]],
  [".mocharc.yml: forbid-only dropped", ".mocharc.yml", "spec: test/**/*.js\nforbid-only: true\n", "spec: test/**/*.js\n", [weakened(".mocharc.yml", null)]],
  [".mocharc.json: spec narrowed", ".mocharc.json", '{ "spec": ["test/**/*.js", "e2e/**/*.js"] }\n', '{ "spec": ["test/**/*.js"] }\n', [weakened(".mocharc.json", 1)]],
  [".mocharc.jsonc: grep set", ".mocharc.jsonc", '{\n  // the suite\n  "spec": "test"\n}\n', '{\n  // the suite\n  "spec": "test",\n  "grep": "fast"\n}\n', [weakened(".mocharc.jsonc", 4)]],
  ["bunfig.toml: [test] root moved", "bunfig.toml", '[test]\nroot = "src"\n', '[test]\nroot = "src/none"\n', [weakened("bunfig.toml", 2)]],
  ["bunfig.toml: [test] preload added", "bunfig.toml", "[install]\nexact = true\n", '[install]\nexact = true\n\n[test]\npreload = ["./no-expect.ts"]\n', [weakened("bunfig.toml", 5)]],
  ["ava.config: failWithoutAssertions turned off", "ava.config.js", 'export default { files: ["test/**"] };\n', 'export default { files: ["test/**"], failWithoutAssertions: false };\n', [weakened("ava.config.js", 1)]],
  ["playwright: testIgnore added", "playwright.config.ts", 'export default defineConfig({ testDir: "e2e" });\n', 'export default defineConfig({ testDir: "e2e", testIgnore: "**/checkout*" });\n', [weakened("playwright.config.ts", 1)]],
  ["playwright: a project's grepInvert", "playwright.config.ts", 'export default defineConfig({ projects: [{ name: "a" }] });\n', 'export default defineConfig({ projects: [{ name: "a", grepInvert: /@slow/ }] });\n', [weakened("playwright.config.ts", 1)]],
  ["a runner config deleted", "jest.config.js", JEST, null, [weakened("jest.config.js", null)]],
];

describe("a test-runner config changed so tests can be silenced", () => {
  for (const [name, path, before, after, expected] of CASES) {
    test(name, async () => {
      expect(await reviewRows({ [path]: [before, after] })).toEqual(expected);
    });
  }
});

test("config changes that silence nothing stay clean", async () => {
  const clean: Array<[string, string, string]> = [
    ["vite.config.ts", VITE, VITE.replace("plugins: [],", 'plugins: [],\n  optimizeDeps: { exclude: ["big-dep"] },\n  build: { rollupOptions: { input: { main: "x" } } },')],
    ["vitest.config.ts", VITEST, VITEST.replace('"src/**/*.test.ts"', '"src/**/*.test.ts", "lib/**/*.test.ts"')],
    ["vitest.config.ts", VITEST.replace("  test: {\n", '  test: {\n    exclude: ["a", "b"],\n'), VITEST.replace("  test: {\n", '  test: {\n    exclude: ["a"],\n')],
    ["jest.config.js", JEST, JEST.replace("};", '  testEnvironment: "node",\n  forbidOnly: true,\n};')],
    ["bunfig.toml", "[install]\nexact = true\n", '[install]\nexact = false\nregistry = "https://example.invalid/"\n'],
  ];
  for (const [path, before, after] of clean) expect(await reviewRows({ [path]: [before, after] })).toEqual([]);
});

test("a config whose contents were not loaded is judged by the settings its changed lines name, with a note", async () => {
  const after = VITEST.replace('    include: ["src/**/*.test.ts"],\n', '    include: ["src/**/*.test.ts"],\n    exclude: ["src/slow/**"],\n');
  expect(await reviewRows({ "vitest.config.ts": [VITEST, after] }, false)).toEqual([weakened("vitest.config.ts", 5), ["tests_unparsed", "note", "vitest.config.ts", null]]);
  expect(await reviewRows({ "vitest.config.ts": [VITEST, VITEST.replace("defineConfig", "defineConfig ")] }, false)).toEqual([["tests_unparsed", "note", "vitest.config.ts", null]]);
});
