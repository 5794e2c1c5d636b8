import { describe, expect, test } from "bun:test";
import { reviewRows, type Row } from "./tests-fixture.ts";
import { alwaysPasses } from "./test-script-rules.ts";

const manifest = (scripts: Record<string, string>, extra: Record<string, unknown> = {}) => `${JSON.stringify({ name: "app", scripts, ...extra }, null, 2)}\n`;
const BASE = manifest({ build: "tsc", test: "vitest run" });
// The "test" key is on line 5 of the pretty-printed manifest.
const weakened = (severity: Row[1], line: number | null = 5): Row[] => [["test_config_weakened", severity, "package.json", line]];

const CASES: Array<[string, string, Row[]]> = [
  ['"exit 0"', manifest({ build: "tsc", test: "exit 0" }), weakened("block")],
  ['"echo ok"', manifest({ build: "tsc", test: "echo ok" }), weakened("block")],
  ['"true"', manifest({ build: "tsc", test: "true" }), weakened("block")],
  ['"" (empty)', manifest({ build: "tsc", test: "" }), weakened("block")],
  ['"vitest run || true"', manifest({ build: "tsc", test: "vitest run || true" }), weakened("block")],
  ['"vitest run; exit 0"', manifest({ build: "tsc", test: "vitest run; exit 0" }), weakened("block")],
  ['"vitest run | tee out.log" (the pipe hides the status)', manifest({ build: "tsc", test: "vitest run | tee out.log" }), weakened("block")],
  ['"(vitest run || :)"', manifest({ build: "tsc", test: "(vitest run || :)" }), weakened("block")],
  ["a script that runs another one that always passes", manifest({ build: "tsc", test: "npm run test:all", "test:all": "exit 0" }), [...weakened("block"), ["test_config_weakened", "block", "package.json", 6]]],
  ["--passWithNoTests added", manifest({ build: "tsc", test: "vitest run --passWithNoTests" }), weakened("request_changes")],
  ["--testPathIgnorePatterns added", manifest({ build: "tsc", test: "vitest run --testPathIgnorePatterns=slow" }), weakened("request_changes")],
  ["-t (a name filter) added", manifest({ build: "tsc", test: "vitest run -t parser" }), weakened("request_changes")],
  ["-u (snapshots rewritten to match) added", manifest({ build: "tsc", test: "vitest run -u" }), weakened("request_changes")],
  ["the test script removed", manifest({ build: "tsc" }), weakened("request_changes", null)],
  ["a test:* script made to always pass", manifest({ build: "tsc", test: "vitest run", "test:e2e": "echo skipped" }), [["test_config_weakened", "block", "package.json", 6]]],
  ["the jest key gains testPathIgnorePatterns", manifest({ build: "tsc", test: "vitest run" }, { jest: { testPathIgnorePatterns: ["/slow/"] } }), [["test_config_weakened", "request_changes", "package.json", 8]]],
];

describe("a test script changed so tests stop running or failing", () => {
  for (const [name, after, expected] of CASES) {
    test(name, async () => {
      expect(await reviewRows({ "package.json": [BASE, after] })).toEqual(expected);
    });
  }
});

test("harmless script changes stay clean", async () => {
  for (const after of [
    manifest({ build: "tsc", test: "vitest run --coverage" }),
    manifest({ build: "tsc -p .", test: "vitest run" }),
    manifest({ build: "tsc", test: "vitest run && echo done" }),
    manifest({ build: "tsc", test: "vitest run", lint: "true" }),
    manifest({ build: "tsc", test: "vitest run" }, { files: ["dist"] }),
  ]) {
    expect(await reviewRows({ "package.json": [BASE, after] })).toEqual([]);
  }
  // Widening what jest runs, or ignoring less, weakens nothing.
  const jest = (testMatch: string[], testPathIgnorePatterns: string[]) => manifest({ test: "jest" }, { jest: { testMatch, testPathIgnorePatterns } });
  expect(await reviewRows({ "package.json": [jest(["**/*.test.js"], ["/slow/"]), jest(["**/*.test.js", "**/*.spec.js"], [])] })).toEqual([]);
});

test("a script that always passed before is not news; npm's default placeholder fails", () => {
  expect(alwaysPasses('echo "Error: no test specified" && exit 1', {})).toBe(false);
  expect(alwaysPasses("exit", {})).toBe(true);
  expect(alwaysPasses("jest && true", {})).toBe(false);
  expect(alwaysPasses("CI=1 jest || echo failed", {})).toBe(true);
  expect(alwaysPasses("npm test", { test: "npm test" })).toBe(false);
});
