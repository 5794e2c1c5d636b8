import { describe, expect, test } from "bun:test";
import { PackageScripts } from "./package-scripts.ts";
import { withTestReport } from "./test-reporter.ts";

const REPORT = ".git/pushpals-report-test.xml";

function check(body: string, runner = "npm", run = runner === "npm" ? "npm test" : `${runner} test`) {
  return withTestReport({ name: "test", run, script: "test" }, PackageScripts.from({ test: body }), runner);
}

describe("init turns on a runner's own JUnit reporter", () => {
  test.each([
    ["node --test", "npm", `NODE_OPTIONS='--test-reporter=spec --test-reporter-destination=stdout --test-reporter=junit --test-reporter-destination=${REPORT}' npm test`],
    ["NODE_ENV=test node --test test/", "pnpm", `NODE_OPTIONS='--test-reporter=spec --test-reporter-destination=stdout --test-reporter=junit --test-reporter-destination=${REPORT}' pnpm test`],
    ["bun test", "npm", `npm test -- --reporter=junit --reporter-outfile=${REPORT}`],
    ["bun test --timeout 20000", "bun", `bun test --reporter=junit --reporter-outfile=${REPORT}`],
    ["vitest run", "npm", `npm test -- --reporter=default --reporter=junit --outputFile.junit=${REPORT}`],
    ["vitest", "yarn", `yarn test --reporter=default --reporter=junit --outputFile.junit=${REPORT}`],
  ])("%s with %s", (body, runner, run) => {
    expect(check(body, runner)).toEqual({ name: "test", run, script: "test", report: REPORT });
  });

  test.each([
    ["jest", "a runner that needs a reporter package"],
    ["mocha", "no JUnit reporter built in"],
    ["node --test && node other.js", "more than one command"],
    ["NODE_OPTIONS=--max-old-space-size=4096 node --test", "sets NODE_OPTIONS itself"],
    ["vitest run --reporter=verbose", "chose its own reporter"],
    ["vitest bench", "a vitest subcommand that is not a run"],
  ])("%s is left as it is (%s)", (body) => {
    expect(check(body)).toEqual({ name: "test", run: "npm test", script: "test" });
  });

  test("arguments CI already passes stay, and npm gets one `--`", () => {
    const coverage = withTestReport({ name: "test", run: "npm test -- --coverage", script: "test" }, PackageScripts.from({ test: "vitest run" }), "npm");
    expect(coverage.run).toBe(`npm test -- --coverage --reporter=default --reporter=junit --outputFile.junit=${REPORT}`);
  });

  test("a workspace's check, run in its folder, is left as it is", () => {
    const ws = withTestReport({ name: "test", run: "cd 'pkgs/a' && npm test", script: "test" }, PackageScripts.from({ test: "node --test" }), "npm");
    expect(ws.report).toBeUndefined();
  });
});
