import type { Reviewer } from "./review-types.ts";
import { checksReviewer } from "./reviewers/checks-reviewer.ts";
import { forbiddenFilesReviewer } from "./reviewers/forbidden-files-reviewer.ts";
import { lockfileReviewer } from "./reviewers/lockfile-reviewer.ts";
import { newDependencyReviewer } from "./reviewers/new-dependency-reviewer.ts";
import { quarantineReviewer } from "./reviewers/quarantine-reviewer.ts";
import { scopeReviewer } from "./reviewers/scope-reviewer.ts";
import { secretsReviewer } from "./reviewers/secrets-reviewer.ts";
import { sizeReviewer } from "./reviewers/size-reviewer.ts";
import { testsReviewer } from "./reviewers/tests-reviewer.ts";

/** The deterministic reviewers, in the order their findings are listed. */
export const BUILTIN_REVIEWERS: readonly Reviewer[] = [
  checksReviewer,
  scopeReviewer,
  forbiddenFilesReviewer,
  secretsReviewer,
  testsReviewer,
  quarantineReviewer,
  newDependencyReviewer,
  lockfileReviewer,
  sizeReviewer,
];
