import { z } from "zod";
import { PushpalsError } from "../core/errors.ts";
import { ID_PATTERN } from "../core/ids.ts";
import { RiskTier } from "../core/risk-tier.ts";
import { Sha } from "../core/sha.ts";
import { ECOSYSTEM_IDS } from "../ecosystems/registry.ts";

/** A check command as configured in `.pushpals/config.toml` and snapshotted into the job input. */
export const CheckCommand = z.strictObject({
  name: z.string().min(1).max(64),
  run: z.string().min(1).max(4096),
});
export type CheckCommand = z.infer<typeof CheckCommand>;

/** `install.package_manager`: "auto" follows the lockfile, "none" skips dependency preparation, else an ecosystem's id. */
export const PackageManagerSetting = z.enum(["auto", ...ECOSYSTEM_IDS, "none"]);
export type PackageManagerSetting = z.infer<typeof PackageManagerSetting>;

/** How a `checks` job prepares dependencies in its worktree (config `install`, snapshotted at enqueue). */
export const InstallSettings = z.strictObject({
  /** "auto" follows the lockfile; "none" skips dependency preparation. */
  packageManager: PackageManagerSetting.default("auto"),
  /** Lifecycle scripts (postinstall...) run arbitrary code: off unless the repository opts in. */
  allowScripts: z.boolean().default(false),
  timeoutSeconds: z.number().int().positive().max(3600).default(600),
});
export type InstallSettings = z.infer<typeof InstallSettings>;

export const ChecksInput = z.strictObject({
  /** The exact commit to check: a full 40-hex SHA, resolved before enqueue. */
  commit: Sha,
  commands: z.array(CheckCommand).min(1).max(32),
  timeoutSeconds: z.number().int().positive().max(24 * 3600).default(900),
  /** Absent in jobs enqueued before dependency preparation existed: the defaults (auto, no scripts, 600 s) apply. */
  install: InstallSettings.optional(),
});
export type ChecksInput = z.infer<typeof ChecksInput>;

/** Diagnostic kind: proves the whole pipeline (claim, heartbeat, logs, complete) without touching git. */
export const NoopInput = z.strictObject({
  sleepMs: z.number().int().nonnegative().max(600_000).default(0),
  logLines: z.number().int().nonnegative().max(100_000).default(0),
});
export type NoopInput = z.infer<typeof NoopInput>;

/** A CTO directive (`pushpals ask`): planned by the RemoteAgent; blocked until a worker can act on it. */
export const DirectiveInput = z.strictObject({
  goal: z.string().min(1).max(4000),
  risk: RiskTier.nullable().default(null),
  scope: z.array(z.string().min(1).max(512)).max(64).default([]),
  done: z.string().max(4000).nullable().default(null),
  constraints: z.string().max(4000).nullable().default(null),
});
export type DirectiveInput = z.infer<typeof DirectiveInput>;

const ChecksSnapshot = z.strictObject({
  commands: z.array(CheckCommand).max(32),
  timeoutSeconds: z.number().int().positive().max(24 * 3600).default(900),
});

/**
 * `pushpals run`: a codemod job. The command runs sandboxed in a worktree of the base head; the SCM
 * commits what it changed (inside the write scope only), checks run on that commit, and a PR opens.
 */
export const RunInput = z.strictObject({
  title: z.string().min(1).max(200),
  body: z.string().max(20_000).default(""),
  command: z.string().min(1).max(8192),
  scope: z.array(z.string().min(1).max(512)).min(1).max(64),
  risk: RiskTier.default("low"),
  /** The worker role doing the change: its write scope in the policy's [roles] bounds the change (outside it: High). */
  role: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/).default("codemod"),
  baseBranch: z.string().min(1).max(255),
  baseCommit: Sha,
  commandTimeoutSeconds: z.number().int().positive().max(24 * 3600).default(900),
  maxFileBytes: z.number().int().positive().max(1024 * 1024 * 1024).default(1024 * 1024),
  checks: ChecksSnapshot,
  install: InstallSettings.optional(),
  /** This change writes the RFC of that High directive (job id): its PR needs people's approval, and merging it approves the directive. */
  rfcFor: z.string().regex(ID_PATTERN).nullable().default(null),
  /** The merged RFC PR that a High change carries out: without one a High change cannot merge. */
  rfc: z.number().int().positive().nullable().default(null),
  /** Set to add a commit to an open PR instead of opening one: the worktree starts at the PR's head. */
  updatePr: z.strictObject({ number: z.number().int().positive(), headBranch: z.string().min(1).max(255), headSha: Sha }).nullable().default(null),
}).refine((input) => input.risk !== "high" || input.rfc !== null || input.updatePr !== null, {
  message: "a High-risk change needs the merged RFC it carries out (rfc: its PR number) before any code runs",
  path: ["rfc"],
});
export type RunInput = z.infer<typeof RunInput>;

/** Merge one PR: rebase onto the latest base, checks on the exact result, compare-and-swap of the base ref. */
export const MergeInput = z.strictObject({
  prNumber: z.number().int().positive(),
  /** The exact head the person asked to merge: a PR whose head moved since is not merged by this job. */
  headSha: Sha,
  /** The commit the change was made on: the rebase replays `baseSha..headSha`. */
  baseSha: Sha,
  baseBranch: z.string().min(1).max(255),
  /** The PR's branch, title and body: a remote provider's PR is (re)published from them. */
  headBranch: z.string().min(1).max(255),
  title: z.string().min(1).max(200),
  body: z.string().max(20_000).default(""),
  checks: ChecksSnapshot,
  install: InstallSettings.optional(),
  /** The PR's checks verdict (bound to its head SHA): a fast-forward with the same commands need not rerun them. */
  headChecks: z
    .strictObject({
      state: z.enum(["passed", "failed", "none"]),
      sha: Sha,
      results: z.array(z.strictObject({ name: z.string(), run: z.string(), exitCode: z.number().int().nullable(), signal: z.string().nullable(), durationMs: z.number().int() })).max(32),
    })
    .optional(),
  /** Set when the PR lives on a remote provider too: there the provider merges it, bound to `headSha`. */
  remote: z.strictObject({ provider: z.literal("github"), number: z.number().int().positive(), pushedSha: Sha }).nullable().default(null),
  /** How many times the base may move under a merge before it gives up with `conflict`. */
  maxRounds: z.number().int().min(1).max(10).default(3),
});
export type MergeInput = z.infer<typeof MergeInput>;

/** Push a PR's branch to the remote provider and open or update its PR there (SourceControlManager). */
export const PublishInput = z.strictObject({
  prNumber: z.number().int().positive(),
  headBranch: z.string().min(1).max(255),
  headSha: Sha,
  baseBranch: z.string().min(1).max(255),
  title: z.string().min(1).max(200),
  body: z.string().max(20_000),
  /** What the remote branch should hold now (null: it must not exist): the push is a compare-and-swap too. */
  expectedRemoteSha: Sha.nullable(),
});
export type PublishInput = z.infer<typeof PublishInput>;

/** Review one PR head (ReviewAgent): risk classification and deterministic reviewers under the base's policy. */
export const ReviewJobInput = z.strictObject({
  prNumber: z.number().int().positive(),
  headSha: Sha,
  baseSha: Sha,
  declaredRisk: RiskTier,
  role: z.string().max(64).nullable().default(null),
  scope: z.array(z.string().min(1).max(512)).max(64),
  checks: z.strictObject({ state: z.enum(["passed", "failed", "none"]), sha: Sha }),
});
export type ReviewJobInput = z.infer<typeof ReviewJobInput>;

export const JOB_KINDS = {
  checks: ChecksInput,
  noop: NoopInput,
  directive: DirectiveInput,
  run: RunInput,
  merge: MergeInput,
  publish: PublishInput,
  review: ReviewJobInput,
} as const;

export type JobKind = keyof typeof JOB_KINDS;
export const JobKind = z.enum(Object.keys(JOB_KINDS) as [JobKind, ...JobKind[]]);

export function isJobKind(kind: string): kind is JobKind {
  return Object.hasOwn(JOB_KINDS, kind);
}

/** Validates a job input against its kind's schema; errors name the offending field. */
export function parseJobInput(kind: string, input: unknown): unknown {
  if (!isJobKind(kind)) {
    throw new PushpalsError("invalid_input", `unknown job kind "${kind}"`, {
      field: "kind",
      hint: `known kinds: ${Object.keys(JOB_KINDS).join(", ")}`,
    });
  }
  const parsed = JOB_KINDS[kind].safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = ["input", ...(issue?.path ?? [])].join(".");
  throw new PushpalsError("invalid_input", `${path}: ${issue?.message ?? "invalid"}`, { field: path });
}
