import { PushpalsError } from "../../core/errors.ts";
import type { WriteContext } from "../../jobs/transition.ts";
import { pullRequests } from "../../prs/pr-store.ts";
import { SPECIALIST_ROLES } from "../../policy/policy-defaults.ts";
import { isAncestor, resolveCommit } from "../../scm/branches.ts";
import { RFC_SCOPE } from "../directive/rfc-document.ts";
import type { RunInput } from "./run-input.ts";

/**
 * A client's `run`, against the server's records: an RFC change (`rfcFor`) is the server's alone
 * (recording a High directive queues it), and so is a specialist's role (`SPECIALIST_ROLES`); `run
 * --pr` adds to an open PR only from the head and branch the PR has now, and to an RFC PR only inside
 * `docs/rfcs/`. Every client's run job comes through here: `POST /jobs` admits it, `pushpals run` included.
 */
export function admitRun(ctx: WriteContext, input: RunInput): void {
  if (input.rfcFor !== null) {
    throw new PushpalsError("forbidden", "rfcFor: an RFC change is written by the server when a High directive is recorded, never by a client", {
      field: "input.rfcFor",
      hint: "record the directive with `pushpals ask --risk high`: its RFC PR follows",
    });
  }
  assertClientRole(input.role);
  const update = input.updatePr;
  if (!update) return;
  const pr = pullRequests(ctx.store).getPullRequest(update.number);
  if (!pr || pr.state !== "open") throw new PushpalsError("conflict", `updatePr: pull request #${update.number} is ${pr ? pr.state : "unknown"}`, { field: "input.updatePr.number" });
  if (pr.headSha !== update.headSha || pr.headBranch !== update.headBranch || pr.baseSha !== input.baseCommit || pr.baseBranch !== input.baseBranch) {
    throw new PushpalsError("conflict", `updatePr: PR #${pr.number} is at ${pr.headSha.slice(0, 12)} on ${pr.headBranch} (made on ${pr.baseSha.slice(0, 12)}), not what the job names`, {
      field: "input.updatePr",
      hint: `look at it again (pushpals pr ${pr.number}), then add the commit`,
    });
  }
  // A commit added to a specialist's PR would be reviewed under the specialist's role.
  if (pr.role && SPECIALIST_ROLES.includes(pr.role)) {
    throw new PushpalsError("forbidden", `PR #${pr.number} was made by the ${pr.role} specialist: a client cannot add commits to it`, {
      field: "input.updatePr",
      hint: "open a PR of your own (pushpals run without --pr), or close that one",
    });
  }
  if (pr.rfcFor && !input.scope.every((s) => RFC_SCOPE.includes(s))) {
    throw new PushpalsError("forbidden", `PR #${pr.number} is an RFC: a commit added to it writes only ${RFC_SCOPE.join(", ")}`, { field: "input.scope" });
  }
}

/** A client chooses among the policy's ordinary roles; a specialist's role comes with the specialist. */
export function assertClientRole(role: string): void {
  if (!SPECIALIST_ROLES.includes(role)) return;
  throw new PushpalsError("forbidden", `role: "${role}" is given by the specialist that made the change, never chosen by a client (the rules trust it, e.g. to change lockfiles alone)`, {
    field: "input.role",
    hint: `leave --role out (codemod) or choose another role of the policy's [roles] (reserved for specialists: ${SPECIALIST_ROLES.join(", ")})`,
  });
}

/**
 * The commit a client's change is made on must be on its base branch: otherwise the change's diff (what
 * is reviewed) hides everything between the branch and that commit, which a fast-forward would land.
 */
export async function verifyRunBase(input: RunInput, { repoRoot }: { repoRoot: string }): Promise<void> {
  const branch = await resolveCommit(repoRoot, `refs/heads/${input.baseBranch}`);
  if (branch && (await isAncestor(repoRoot, input.baseCommit, branch))) return;
  throw new PushpalsError("invalid_input", `baseCommit: ${input.baseCommit.slice(0, 12)} is not on ${input.baseBranch}${branch ? ` (at ${branch.slice(0, 12)})` : " (no such branch)"}`, {
    field: "input.baseCommit",
    hint: "make the change on a commit of its base branch (pushpals run does)",
  });
}
