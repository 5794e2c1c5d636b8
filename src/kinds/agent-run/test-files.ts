import { globMatcher } from "../../policy/policy-glob.ts";

/** Test files proper (a helper or fixture under test/ is not one): the Bug Fixer applies only these to the base. */
export const isTestFile = globMatcher(["**/*.test.*", "**/*.spec.*", "**/*_test.*", "**/test_*.py"]);

/**
 * Anything a test suite is made of: the test files, and every file under a test folder (helpers, fixtures,
 * snapshots). A refactor that changes one of these no longer shows, by its green checks, that behaviour held.
 */
const inTestTree = globMatcher(["test/**", "tests/**", "spec/**", "**/test/**", "**/tests/**", "**/__tests__/**", "**/__snapshots__/**", "**/__fixtures__/**", "**/*.snap"]);

export function isTestSuitePath(path: string): boolean {
  return isTestFile(path) || inTestTree(path);
}

/**
 * What a benchmark is likely made of: bench folders and bench files. A performance change that edits one
 * could make its own measurement faster instead of the code, so the Performance Tuner refuses it.
 */
const isBenchmark = globMatcher(["bench/**", "benchmark/**", "benchmarks/**", "**/bench/**", "**/benchmark/**", "**/benchmarks/**", "**/*.bench.*", "**/*.benchmark.*", "**/*_bench.*", "**/bench_*.*"]);

export function isBenchmarkPath(path: string): boolean {
  return isBenchmark(path);
}
