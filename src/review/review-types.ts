import { BaseRed, ChecksState } from "../core/checks-state.ts";
import { z } from "zod";
import { DiffFile } from "./diff-types.ts";
import { QuarantineFacts } from "./quarantine-facts.ts";

export const Severity = z.enum(["block", "request_changes", "note"]);
export type Severity = z.infer<typeof Severity>;

export const Finding = z.object({
  reviewer: z.string().min(1),
  rule: z.string().min(1),
  severity: Severity,
  file: z.string().nullable(),
  /** Line in the new file (head); null for a finding about a whole file or the whole change. */
  line: z.number().int().positive().nullable(),
  message: z.string(),
  fixHint: z.string(),
});
export type Finding = z.infer<typeof Finding>;

export const Decision = z.enum(["approve", "request_changes", "block"]);
export type Decision = z.infer<typeof Decision>;

export const Verdict = z.object({
  decision: Decision,
  headSha: z.string(),
  /** Hash of the policy the rules came from, so a verdict under an older policy can be told apart. */
  policyHash: z.string(),
  findings: z.array(Finding),
  reviewedAt: z.number().int(),
});
export type Verdict = z.infer<typeof Verdict>;

/** The checks verdict and the commit it ran on (see `PrChecks`). */
export const ReviewChecks = z.object({
  state: ChecksState,
  sha: z.string(),
  baseRed: BaseRed.optional(),
});
export type ReviewChecks = z.infer<typeof ReviewChecks>;

export const DEFAULT_TEST_GLOBS = [
  "**/*.test.*",
  "**/*.spec.*",
  "**/*_test.*",
  "**/test_*.py",
  "**/__tests__/**",
  "**/test/**",
  "**/tests/**",
];

export const DEFAULT_GENERATED_GLOBS = ["**/*.min.js", "**/*.min.mjs", "**/*.min.css", "**/*.generated.*", "**/dist/**"];

/** What the policy decides for this change; reviewers read nothing else. */
export const ReviewRules = z.object({
  /** Globs (Bun.Glob) of the paths the change may touch. */
  scope: z.array(z.string()),
  /** Globs of paths whose change needs a human's approval. */
  protectedPaths: z.array(z.string()).default([]),
  maxFileBytes: z.number().int().positive(),
  maxFiles: z.number().int().positive().default(30),
  /** Added plus removed lines over all text files except lockfiles. */
  maxChangedLines: z.number().int().positive().default(1000),
  allowNewDependencies: z.boolean().default(false),
  /** Repo-relative folders where generated files may live. */
  generatedDirs: z.array(z.string()).default([]),
  generatedGlobs: z.array(z.string()).default(DEFAULT_GENERATED_GLOBS),
  testGlobs: z.array(z.string()).default(DEFAULT_TEST_GLOBS),
  /** Roles allowed to change a lockfile without an install-relevant manifest change (the policy's dependency role). */
  dependencyRoles: z.array(z.string()).default(["dependency_steward"]),
});
export type ReviewRules = z.infer<typeof ReviewRules>;

export const ReviewInput = z.object({
  baseSha: z.string(),
  headSha: z.string(),
  files: z.array(DiffFile),
  checks: ReviewChecks,
  rules: ReviewRules,
  /** The role of the agent that made the change, when known. */
  role: z.string().nullable().default(null),
  /** For a diff that touches `.pushpals/quarantine.toml`: what the PR's job declared (see quarantine-facts.ts). */
  quarantine: QuarantineFacts.nullable().optional(),
});
export type ReviewInput = z.infer<typeof ReviewInput>;

/**
 * One reviewer. Deterministic ones answer synchronously; a model-backed one returns a promise and may
 * only add findings (see `mergeFindings`).
 */
export interface Reviewer {
  name: string;
  review(input: ReviewInput): Finding[] | Promise<Finding[]>;
}
