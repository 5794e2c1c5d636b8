import { globMatcher } from "./path-match.ts";
import { DEFAULT_TEST_GLOBS } from "./review-types.ts";
import { runnerConfigKind } from "./reviewers/test-runner-config.ts";

/**
 * The files whose full text (both sides) the reviewers read beyond manifests and lockfiles, which
 * parseDiff always loads: test files (counted test by test) and test-runner configs (read key by key).
 */
export function reviewContentsFor(testGlobs: string[] = DEFAULT_TEST_GLOBS): (path: string) => boolean {
  const isTest = globMatcher(testGlobs);
  return (path) => isTest(path) || runnerConfigKind(path) !== null;
}
