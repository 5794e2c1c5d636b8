import { caselessGlobMatcher, globMatcher } from "../../policy/policy-glob.ts";
import { runnerConfigKind } from "../../review/reviewers/test-runner-config.ts";

/** Test files proper (a helper or fixture under test/ is not one): the Bug Fixer applies only these to the base. */
export const isTestFile = globMatcher(["**/*.test.*", "**/*.spec.*", "**/*_test.*", "**/test_*.py"]);

/**
 * Anything a test suite is made of: the test files, every file under a test folder (helpers, fixtures,
 * snapshots), and the test runners' configuration (the ReviewAgent's list, plus pytest's). A refactor that
 * changes one of these no longer shows, by its green checks, that behaviour held. (A weakened test script in
 * a manifest is the tests reviewer's to block, on every PR.)
 */
const inTestTree = globMatcher(["test/**", "tests/**", "spec/**", "**/test/**", "**/tests/**", "**/__tests__/**", "**/__snapshots__/**", "**/__fixtures__/**", "**/*.snap", "**/conftest.py", "**/pytest.ini"]);

export function isTestSuitePath(path: string): boolean {
  return isTestFile(path) || inTestTree(path) || runnerConfigKind(path) !== null;
}

/**
 * What a benchmark is likely made of: bench folders (cargo's `benches/` too, in any case) and bench files. A performance change that edits one
 * could make its own measurement faster instead of the code, so the Performance Tuner refuses it.
 */
const isBenchmark = caselessGlobMatcher(["bench/**", "benches/**", "benchmark/**", "benchmarks/**", "**/bench/**", "**/benches/**", "**/benchmark/**", "**/benchmarks/**", "**/*.bench.*", "**/*.benchmark.*", "**/*_bench.*", "**/bench_*.*"]);

export function isBenchmarkPath(path: string): boolean {
  return isBenchmark(path);
}
