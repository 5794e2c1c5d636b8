import type { ReviewJobInput } from "./review-input.ts";
import { classificationInputFromGit, filePatches } from "../../policy/from-git.ts";
import { classifyRisk } from "../../policy/classify-risk.ts";
import { gatesFor } from "../../policy/gates.ts";
import { loadPolicyAt, loadPrPolicy } from "../../policy/load-policy-at.ts";
import type { Policy } from "../../policy/policy-schema.ts";
import { type Classification } from "../../policy/tiers.ts";
import { tierRank } from "../../core/risk-tier.ts";
import type { ReviewOutcome } from "../../prs/pr-types.ts";
import { parseDiff } from "../../review/parse-diff.ts";
import { reviewContentsFor } from "../../review/review-contents.ts";
import { buildVerdict, runReview } from "../../review/run-review.ts";
import { addModelFindings } from "../../review/model-review/add-model-findings.ts";
import { maskSecrets } from "../../review/model-review/mask-secrets.ts";
import { DEFAULT_GENERATED_GLOBS, DEFAULT_TEST_GLOBS, type ReviewRules } from "../../review/review-types.ts";
import type { JobContext } from "../common/job-context.ts";
import { quarantineFacts } from "./quarantine-facts.ts";
import { modelReview } from "./model-review.ts";

const MAX_FILE_BYTES = 1024 * 1024;

/**
 * `review`, run by the ReviewAgent: classifies the PR's exact diff and runs the deterministic reviewers
 * (then, when `[models.review]` is on, the model reviewer, which only adds findings),
 * both under the policy committed at the PR's base (never the PR's own copy of it). The verdict is keyed
 * by head SHA and policy hash, so a new head or another policy voids it.
 */
export async function reviewPr(input: ReviewJobInput, ctx: JobContext): Promise<ReviewOutcome> {
  const networkKinds = ctx.config.sandbox.network;
  const repo = ctx.paths.repoRoot;
  // Reviews queued before the base branch was recorded judge under the base commit's policy alone.
  const { policy, hash } = input.baseBranch ? await loadPrPolicy(repo, input.baseSha, input.baseBranch) : await loadPolicyAt(repo, input.baseSha);
  const files = await parseDiff(repo, input.baseSha, input.headSha, { contentsFor: reviewContentsFor() });
  const facts = await classificationInputFromGit(repo, input.baseSha, input.headSha, input.declaredRisk, input.role ?? undefined, { patches: filePatches(files) });
  // Codemods that ran with the network (sandbox.network) count as a new capability unless the policy grants it.
  const classification = classifyRisk({ ...facts, networkKinds: networkKinds.includes("run") ? ["run"] : [] }, policy);
  // A diff touching the test quarantine is judged against what the PR's own job declared (the server's records).
  const quarantine = await quarantineFacts(ctx, input.prNumber, files);
  const deterministic = await runReview({ baseSha: input.baseSha, headSha: input.headSha, files, checks: input.checks, rules: reviewRules(input.scope, classification, policy), role: input.role, quarantine });
  // The model reviewer ([models.review], off by default) can only add findings: the verdict is the deterministic one or stricter.
  // It reads the diff with every secret the ReviewAgent found masked: none leaves for a model provider.
  const findings = addModelFindings(deterministic, await modelReview(ctx, { prNumber: input.prNumber, headSha: input.headSha, files: maskSecrets(files, deterministic) }));
  const verdict = buildVerdict({ headSha: input.headSha }, findings, hash);
  ctx.log("system", `risk ${classification.tier}: ${classification.reasons.map((r) => r.rule).join(", ") || "no rule fired"}`);
  for (const f of findings) ctx.log("system", `${f.severity} ${f.rule}${f.file ? ` ${f.file}${f.line ? `:${f.line}` : ""}` : ""}: ${f.message}`);
  ctx.log("system", `verdict: ${verdict.decision} (${findings.length} finding(s)) on ${input.headSha.slice(0, 12)}`);
  return { verdict, classification, autoMerge: gatesFor(classification, policy).autoMerge };
}

function reviewRules(scope: string[], classification: Classification, policy: Policy): ReviewRules {
  const limits = classification.tier === "low" ? policy.low : policy.medium;
  return {
    scope,
    protectedPaths: policy.paths.protected,
    maxFileBytes: MAX_FILE_BYTES,
    maxFiles: limits.max_files,
    maxChangedLines: limits.max_lines,
    // A new dependency is allowed only in a change already classified at the tier the policy gives additions.
    allowNewDependencies: tierRank(classification.tier) >= tierRank(policy.dependencies.tiers.added),
    generatedDirs: [],
    generatedGlobs: DEFAULT_GENERATED_GLOBS,
    testGlobs: DEFAULT_TEST_GLOBS,
    dependencyRoles: ["dependency_steward"],
  };
}
