// Run by `node --test`, which runs every .js file under test/.
import assert from "node:assert/strict";
import { test } from "node:test";
import { bump, compare, format, parse } from "../src/index.js";

test("parses releases, prereleases and build metadata", () => {
  assert.deepEqual(parse("1.2.3"), { major: 1, minor: 2, patch: 3, prerelease: [] });
  assert.deepEqual(parse("v2.0.0-rc.1+build.7"), { major: 2, minor: 0, patch: 0, prerelease: ["rc", 1] });
  assert.equal(format(parse("v2.0.0-rc.1+build.7")), "2.0.0-rc.1");
});

test("rejects what is not a version", () => {
  for (const text of ["1.2", "01.2.3", "1.2.3-", "latest"]) {
    assert.throws(() => parse(text), TypeError, text);
  }
});

test("orders by semver precedence", () => {
  const ordered = ["0.9.9", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0"];
  assert.deepEqual([...ordered].reverse().sort(compare), ordered);
  assert.equal(compare("1.2.3", "v1.2.3+build"), 0);
});

test("bumps each release type", () => {
  assert.equal(bump("1.4.2", "major"), "2.0.0");
  assert.equal(bump("1.4.2", "minor"), "1.5.0");
  assert.equal(bump("1.4.2", "patch"), "1.4.3");
});

test("releases a prerelease instead of skipping it", () => {
  assert.equal(bump("2.0.0-rc.1", "major"), "2.0.0");
  assert.equal(bump("1.5.0-beta", "minor"), "1.5.0");
  assert.equal(bump("1.4.3-beta", "patch"), "1.4.3");
  assert.equal(bump("1.4.3-beta", "minor"), "1.5.0");
});
