import { z } from "zod";

/**
 * `[models.review]`: the model-backed reviewer (issue #19 item 7), off by default. It runs in the
 * ReviewAgent after the deterministic reviewers and can only add findings (src/kinds/review/model-review.ts).
 */
export const ModelReviewSettings = z.strictObject({
  enabled: z.boolean(),
  /** false: every model finding is a note (advisory); true: a model's request_changes finding requests changes. Never a block. */
  block: z.boolean(),
  /** The diff sent is cut to this many characters (what was cut is said in the prompt). */
  max_diff_chars: z.number().int().min(1_000).max(1_000_000),
  /** Model findings kept per review (the rest are dropped, said in a note). */
  max_findings: z.number().int().min(1).max(200),
});
export type ModelReviewSettings = z.infer<typeof ModelReviewSettings>;

export const DEFAULT_MODEL_REVIEW_SETTINGS: ModelReviewSettings = { enabled: false, block: false, max_diff_chars: 40_000, max_findings: 20 };
