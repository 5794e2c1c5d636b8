import { z } from "zod";
import { redactText } from "../../secrets/redact.ts";
import type { Finding } from "../review-types.ts";

export const MODEL_REVIEWER = "model";
export const MAX_MODEL_MESSAGE_CHARS = 500;
/** A reply longer than this is not read at all. */
const MAX_REPLY_CHARS = 200_000;

/** One finding as the model writes it. Fields other than these are ignored (they can say nothing the review reads). */
export const ModelReviewItem = z.object({
  file: z.string().nullable().optional(),
  line: z.number().nullable().optional(),
  severity: z.enum(["comment", "request_changes"]),
  message: z.string(),
});
export type ModelReviewItem = z.infer<typeof ModelReviewItem>;

export const ModelReviewReply = z.array(ModelReviewItem);
export type ModelReviewReply = z.infer<typeof ModelReviewReply>;

export interface ModelReviewOptions {
  /** The diff's paths: a finding naming another file loses its file and line. */
  paths: readonly string[];
  maxFindings: number;
  /** `models.review.block`: whether a request_changes finding requests changes (else it is a note). */
  block: boolean;
}

export type ParsedModelReview = { ok: true; findings: Finding[] } | { ok: false; why: string };

/**
 * The model's reply as findings of the `model` reviewer, or why it is not usable (not JSON, not an
 * array of findings). Never a block: at most request_changes, and only when `block` is set. Messages
 * are one line, without mentions (@) or control characters, redacted, cut; past `maxFindings` the
 * rest are dropped and a note says so.
 */
export function parseModelReview(text: string, options: ModelReviewOptions): ParsedModelReview {
  if (text.length > MAX_REPLY_CHARS) return { ok: false, why: `the reply is longer than ${MAX_REPLY_CHARS} characters` };
  let json: unknown;
  try {
    json = JSON.parse(unfenced(text));
  } catch (err) {
    return { ok: false, why: `the reply is not JSON (${err instanceof Error ? err.message : String(err)})`.slice(0, 300) };
  }
  const parsed = ModelReviewReply.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, why: `the reply is not a JSON array of findings (${issue.path.length > 0 ? `at ${issue.path.join(".")}: ` : ""}${issue.message})`.slice(0, 300) };
  }
  const paths = new Set(options.paths);
  const findings: Finding[] = [];
  for (const item of parsed.data) {
    const message = cleanModelText(item.message, MAX_MODEL_MESSAGE_CHARS);
    if (message === "") continue;
    const file = typeof item.file === "string" && paths.has(item.file) ? item.file : null;
    const line = file !== null && typeof item.line === "number" && Number.isSafeInteger(item.line) && item.line > 0 ? item.line : null;
    const asks = item.severity === "request_changes";
    findings.push({
      reviewer: MODEL_REVIEWER,
      rule: "model_review",
      severity: asks && options.block ? "request_changes" : "note",
      file,
      line,
      message: asks && !options.block ? `(advisory request_changes) ${message}` : message,
      fixHint: "a model's opinion on the diff (models.review): check it against the code",
    });
  }
  if (findings.length <= options.maxFindings) return { ok: true, findings };
  const kept = findings.slice(0, options.maxFindings);
  kept.push(modelReviewNote("model_review_cut", `the model returned ${findings.length} findings: the first ${options.maxFindings} are kept (models.review.max_findings)`));
  return { ok: true, findings: kept };
}

/** A note of the model reviewer about itself (unavailable, unconfigured, cut): never changes the verdict. */
export function modelReviewNote(rule: string, message: string): Finding {
  return { reviewer: MODEL_REVIEWER, rule, severity: "note", file: null, line: null, message: cleanModelText(message, 2000), fixHint: "the deterministic review stands as it is; see `pushpals logs <job> --model`" };
}

/** One line, no control or invisible formatting characters, no mentions, redacted, at most `max` characters. */
export function cleanModelText(text: string, max: number): string {
  const flat = redactText(text)
    .replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g, " ")
    .replace(/@/g, "")
    .replace(/\s+/g, " ")
    .trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 3)}...`;
}

/** Models wrap JSON in a code fence even when told not to: one fence around the whole reply is taken off. */
function unfenced(text: string): string {
  const match = /^\s*```(?:json)?[ \t]*\n([\s\S]*?)\n?```\s*$/.exec(text);
  return match ? match[1]! : text;
}
