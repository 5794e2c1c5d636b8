import { z } from "zod";

/**
 * The contract between the model providers (src/models/providers/), the budgets (budget.ts) and the
 * executors (src/kinds/agent-run/): plain data, no provider's types. Issue #19.
 */

export const ModelMessage = z.object({
  role: z.enum(["system", "user", "assistant"]),
  content: z.string(),
});
export type ModelMessage = z.infer<typeof ModelMessage>;

export const ModelUsage = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
});
export type ModelUsage = z.infer<typeof ModelUsage>;

/** One completion: the text the model returned and what it cost in tokens. */
export interface ModelReply {
  text: string;
  usage: ModelUsage;
  /** The provider's own reason (`stop`, `length`, ...). */
  finishReason: string;
  /** How long the request took, retries included. */
  durationMs: number;
}

/**
 * A configured model, ready to call (the key, read host-side, lives only inside it; never in a
 * sandbox, a log or the audit). Failures throw JobFailure("model_error", the provider's message,
 * redacted) after the retries on rate limits and server errors.
 */
export interface ModelClient {
  /** `<provider>/<model>`, for logs and usage records. */
  readonly label: string;
  complete(messages: readonly ModelMessage[], options: { signal: AbortSignal; maxOutputTokens?: number }): Promise<ModelReply>;
}

/** One model exchange of a job as its transcript stores it (redacted and bounded by the server). */
export const ModelExchange = z.object({
  /** 1-based step of the job's loop. */
  step: z.number().int().min(1).max(100_000),
  model: z.string().min(1).max(200),
  /** The messages sent that are new since the previous exchange (the first: all of them). */
  sent: z.array(ModelMessage).max(64),
  reply: z.string(),
  usage: ModelUsage,
  costUsd: z.number().nonnegative(),
  durationMs: z.number().int().nonnegative(),
  /** What the loop did with the reply: the command it ran (and its exit code), `submit`, or why it refused it. */
  action: z.object({ kind: z.enum(["command", "submit", "refused"]), command: z.string().max(8192).nullable(), exitCode: z.number().int().nullable(), note: z.string().max(2000).nullable() }),
});
export type ModelExchange = z.infer<typeof ModelExchange>;
