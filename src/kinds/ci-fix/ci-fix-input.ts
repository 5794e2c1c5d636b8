import { z } from "zod";
import { isRepoRelativePath, MAX_NAMED_FILES } from "../../ci-fixes/repo-path.ts";
import { CheckCommand } from "../../config/check-settings.ts";
import { Sha } from "../../core/sha.ts";
import { SPECIALIST_ROLES } from "../../policy/policy-defaults.ts";
import { PrProposal } from "../../prs/pr-types.ts";

/** A tracked file the failure named, as git lists it. */
const NamedFile = z.string().refine(isRepoRelativePath, "must be a path relative to the repository root (no `..`, not absolute, no leading `-`, nothing under .git)");

/**
 * `ci-fix`: a failing lint or format check fixed by the repository's own fixer, as a small PR (the CI
 * Medic's; only the server creates it). The fixer is re-planned in the handler from the package.json
 * committed at `baseCommit` (`allowedFixers`): an input naming any other command is refused.
 */
export const CiFixInput = z
  .strictObject({
    baseBranch: z.string().min(1).max(255).regex(/^[^\s~^:?*[\\]+$/, "must be a branch name"),
    /** The red commit: the fix is made, checked and reviewed on it. */
    baseCommit: Sha,
    /** The failing check, as the config committed at `baseCommit` names it (else the job is refused). */
    check: CheckCommand,
    /** The tracked files the failure named: only those changing is Low. Empty when it named none. */
    files: z.array(NamedFile).max(MAX_NAMED_FILES).default([]),
    /**
     * The planned command (planCiFix), shown in the job and the PR; checked against the committed package.json.
     * Null: the handler plans it (and the files) itself from the committed files and `failureExcerpt`.
     */
    fixer: z.string().min(1).max(8192).nullable().default(null),
    /** The check's failure output before the fix, for the PR (data, never run or parsed as a command). */
    failureExcerpt: z.string().max(8000).default(""),
    /**
     * The write scope (Bun.Glob, repo-relative): a fixer's change outside it is refused (policy_denied), as a run's
     * is. The files the failure named decide the tier, not this.
     */
    scope: z
      .array(z.string().min(1).max(512).refine((g) => !g.startsWith("/") && !g.includes("\0") && !g.split("/").includes(".."), "must be a repo-relative glob without .."))
      .min(1)
      .max(64)
      .default(["**"]),
    /** The policy role the change is judged as (its [roles] scope). */
    role: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,63}$/)
      .refine((r) => !SPECIALIST_ROLES.includes(r), "a fixer's change does not get a specialist's role")
      .default("codemod"),
    /** The least tier the PR gets: Low only when the fixer changed nothing but the named files, else Medium. High needs an RFC a fix has none of. */
    risk: z.enum(["low", "medium"]).default("low"),
    commandTimeoutSeconds: z.number().int().min(1).max(3600).default(900),
  })
  .refine((input) => new Set(input.files).size === input.files.length, { message: "each file once", path: ["files"] });
export type CiFixInput = z.infer<typeof CiFixInput>;

export const CiFixResult = z.object({
  pr: PrProposal,
  fixer: z.string(),
  /** Every path the fixer changed (both sides of a rename). */
  changed: z.array(z.string()),
  /** Those the failure did not name (all of them when it named none): why the PR is Medium. */
  outside: z.array(z.string()),
  /** The fixer's own exit code (a linter exits non-zero while problems it cannot fix remain). */
  exitCode: z.number().int().nullable(),
});
export type CiFixResult = z.input<typeof CiFixResult>;
