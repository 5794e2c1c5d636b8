import { defineKind } from "../common/define-kind.ts";
import { CiFixInput, CiFixResult } from "./ci-fix-input.ts";

/** One fix of a branch's check at a time: asking again while it runs finds the same job (a client cannot take the key, SERVER_DEDUPE_PREFIXES). */
export function ciFixDedupeKey(branch: string, check: string): string {
  return `ci-fix:${branch}:${check}`;
}

/**
 * `ci-fix`: the CI Medic's fix of a failing lint or format check. A WorkerPal runs the repository's own
 * fixer (its fix script, or the fix mode of the linter or formatter the check calls) in the sandbox on
 * the red commit and proposes what it changed like any change: Low when only the files the failure
 * named changed, else Medium; a fixer that changes nothing fails the job. Only the server creates it.
 */
export const ciFixKind = defineKind({
  id: "ci-fix",
  summary: "fix a failing lint or format check with the repository's own fixer, proposed as a checked PR",
  input: CiFixInput,
  result: CiFixResult,
  createdBy: "server",
  role: "worker",
  // A fixer rewrites files from what is installed: it needs no network, and gets none.
  network: false,
  handler: async (input, ctx) => (await import("./ci-fix-handler.ts")).fixCheck(input, ctx),
  effects(ctx, job, { prs }) {
    if (job.state === "succeeded") prs.open(ctx, job);
  },
});
