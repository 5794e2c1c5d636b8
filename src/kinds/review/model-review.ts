import { randomBytes } from "node:crypto";
import { routes } from "../../api/routes.ts";
import { JobFailure } from "../../core/job-failure.ts";
import { jobBudgetMeter } from "../../models/budget.ts";
import { costOf, createModelClient } from "../../models/model-client.ts";
import type { ModelClient, ModelMessage } from "../../models/model-types.ts";
import type { DiffFile } from "../../review/diff-types.ts";
import { modelReviewPrompt } from "../../review/model-review/model-review-prompt.ts";
import { modelReviewNote, parseModelReview } from "../../review/model-review/model-review-reply.ts";
import type { Finding } from "../../review/review-types.ts";
import type { JobContext } from "../common/job-context.ts";

/** A reply that is not usable is asked for once more, then given up on. */
const ATTEMPTS = 2;

export interface ModelReviewSubject {
  prNumber: number;
  headSha: string;
  files: readonly DiffFile[];
}

export interface ModelReviewDeps {
  /** For tests: the client instead of the configured one. */
  client?: ModelClient;
  nonce?: string;
}

/**
 * The model reviewer (`[models.review]`), run by the ReviewAgent host-side after the deterministic
 * reviewers, on the exact diff of the head under review. Off: nothing, no request. On: the model's
 * findings, or one note saying why there are none (no model configured, a model error, a budget, a
 * reply unusable twice). It never fails the review and never removes or softens a finding: the
 * caller adds what it returns with addModelFindings. Only the job's cancellation ends it otherwise.
 */
export async function modelReview(ctx: JobContext, subject: ModelReviewSubject, deps: ModelReviewDeps = {}): Promise<Finding[]> {
  const settings = ctx.config.models;
  if (!settings.review.enabled) return [];
  if (!deps.client && (settings.provider === null || settings.model === null)) {
    const why = "models.review.enabled is on but no model is configured ([models] provider and model): the review ran with the deterministic reviewers only";
    ctx.log("system", `model review: ${why}`);
    return [modelReviewNote("model_review_unconfigured", why)];
  }
  try {
    return await callModel(ctx, subject, deps);
  } catch (err) {
    if (ctx.signal.aborted || (err instanceof JobFailure && err.failureClass === "cancelled")) throw err;
    const why = err instanceof Error ? err.message : String(err);
    ctx.log("system", `model review unavailable: ${why}`);
    return [modelReviewNote("model_review_unavailable", `model review unavailable: ${why}`)];
  }
}

async function callModel(ctx: JobContext, subject: ModelReviewSubject, deps: ModelReviewDeps): Promise<Finding[]> {
  const settings = ctx.config.models;
  const { review, budget } = settings;
  const client = deps.client ?? createModelClient(settings, process.env, { repoRoot: ctx.paths.repoRoot, registerKey: true });
  const meter = jobBudgetMeter(budget, await ctx.modelUsageToday());
  const prompt = modelReviewPrompt({
    title: await prTitle(ctx, subject.prNumber),
    headSha: subject.headSha,
    files: subject.files,
    maxDiffChars: review.max_diff_chars,
    maxFindings: review.max_findings,
    nonce: deps.nonce ?? randomBytes(8).toString("hex"),
  });
  const paths = subject.files.map((f) => f.path);
  const messages: ModelMessage[] = [
    { role: "system", content: prompt.system },
    { role: "user", content: prompt.user },
  ];
  ctx.log("system", `model review: ${client.label} on ${subject.headSha.slice(0, 12)}${prompt.cut ? ` (${prompt.cut})` : ""}`);
  let sentFrom = 0;
  let why = "";
  for (let step = 1; step <= ATTEMPTS; step++) {
    meter.step();
    const room = meter.remainingTokens();
    const reply = await client.complete(messages, { signal: ctx.signal, maxOutputTokens: Math.max(1, Math.min(settings.max_output_tokens, room ?? Infinity)) });
    const stepCost = costOf(reply.usage, settings.prices);
    const sent = messages.slice(sentFrom);
    messages.push({ role: "assistant", content: reply.text });
    sentFrom = messages.length;
    const record = (kind: "submit" | "refused", note: string) =>
      ctx.recordModelExchange({ step, model: client.label, sent, reply: reply.text, usage: reply.usage, costUsd: stepCost, durationMs: reply.durationMs, action: { kind, command: null, exitCode: null, note: note.slice(0, 2000) } }).catch((err: unknown) => {
        ctx.log("system", `model review: exchange ${step} could not be recorded: ${err instanceof Error ? err.message : String(err)}`);
      });
    try {
      meter.charge(reply.usage, stepCost);
    } catch (err) {
      await record("refused", "a budget was reached with this reply: it was not used");
      throw err;
    }
    const parsed = parseModelReview(reply.text, { paths, maxFindings: review.max_findings, block: review.block });
    if (parsed.ok) {
      await record("submit", `review: ${parsed.findings.length} finding(s)`);
      ctx.log("system", `model review: ${parsed.findings.length} finding(s) from ${client.label}`);
      return parsed.findings;
    }
    why = parsed.why;
    await record("refused", why);
    ctx.log("system", `model review: reply ${step} not used: ${why}`);
    messages.push({ role: "user", content: `Your reply was not used: ${why}. Reply with only the JSON array of findings described above ([] if none).` });
  }
  return [modelReviewNote("model_review_unavailable", `model review unavailable: the model's reply was not usable ${ATTEMPTS} times: ${why}`)];
}

/** The PR's title, as the server has it (data for the prompt; a failure to read it is not a reason to skip the review). */
async function prTitle(ctx: JobContext, prNumber: number): Promise<string> {
  try {
    return (await ctx.read(routes.getPr, { params: { number: prNumber } })).pr.title;
  } catch {
    return "(the title could not be read)";
  }
}
