import { globMatcher } from "./path-match.ts";
import { DEFAULT_TEST_GLOBS } from "./review-types.ts";
import { runnerConfigKind } from "./reviewers/test-runner-config.ts";
import { QUARANTINE_FILE } from "../test-quarantine/quarantine-path.ts";

/**
 * The files whose full text (both sides) the reviewers read beyond manifests and lockfiles, which
 * parseDiff always loads: test files (counted test by test), test-runner configs (read key by key) and
 * the test quarantine (entry by entry).
 */
export function reviewContentsFor(testGlobs: string[] = DEFAULT_TEST_GLOBS): (path: string) => boolean {
  const isTest = globMatcher(testGlobs);
  return (path) => isTest(path) || runnerConfigKind(path) !== null || path === QUARANTINE_FILE;
}
