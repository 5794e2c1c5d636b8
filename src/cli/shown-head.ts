import { PushpalsError } from "../core/errors.ts";
import type { PullRequest } from "../prs/pr-types.ts";

/**
 * The head a person's decision binds to: the one they name with `--head` (a prefix is enough), else the
 * head this command shows them. A `--head` that is not the PR's head is refused here, before anything is sent.
 */
export function shownHead(pr: PullRequest, given: string | undefined): string {
  if (given === undefined) return pr.headSha;
  const wanted = given.trim().toLowerCase();
  if (/^[0-9a-f]{4,40}$/.test(wanted) && pr.headSha.startsWith(wanted)) return pr.headSha;
  throw new PushpalsError("conflict", `PR #${pr.number}'s head is ${pr.headSha.slice(0, 12)}, not ${given}: nothing was recorded`, {
    hint: `look at the new head (pushpals pr ${pr.number} --diff), then decide again`,
  });
}
