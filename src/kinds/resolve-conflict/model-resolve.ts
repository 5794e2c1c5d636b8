import { randomBytes } from "node:crypto";
import { MAX_MODEL_MERGE_CHARS, modelMergePrompt, parseModelMerge } from "../../conflicts/model-merge.ts";
import type { FileOutcome } from "../../conflicts/resolve-file.ts";
import { isPushpalsError } from "../../core/errors.ts";
import { JobFailure } from "../../core/job-failure.ts";
import { jobBudgetMeter } from "../../models/budget.ts";
import { costOf, createModelClient } from "../../models/model-client.ts";
import { holdsTokenLikeSecret } from "../../secrets/redact.ts";
import type { JobContext } from "../common/job-context.ts";

/** Files that hold secrets by their name (env files, keys, credential stores). */
const SECRET_FILE = /(?:^|\/)(?:\.env(?:\..*)?|.*\.(?:pem|key|p12|pfx|jks|keystore)|id_(?:rsa|ed25519|ecdsa|dsa)[^/]*|credentials(?:\.[^/]*)?|\.npmrc|\.pypirc|\.netrc)$/i;

type Sides = ReadonlyMap<string, { base: string | null; ours: string | null; theirs: string | null }>;

/**
 * The last strategy, when `[models]` names a provider: each file git's line merge (and the structured
 * driver) left conflicted is sent to the model, with both sides' commit subjects, as data; a reply that
 * is the whole merged file without a conflict marker resolves it (strategy `model`), anything else leaves
 * it for a person with the model's reason. One model call per file, host-side with the key only this
 * worker holds, within the job's budget, every exchange recorded. What the model wrote is then checked
 * like any resolution (the checks on the exact commit, the review), and the PR is at least Medium.
 */
export async function tryModelMerge(ctx: JobContext, outcomes: Map<string, FileOutcome>, sides: Sides, subjects: { ours: readonly string[]; theirs: readonly string[] }): Promise<void> {
  const settings = ctx.config.models;
  const pending = [...outcomes].filter(([, o]) => o.strategy === "unresolved" && o.textMerge);
  if (settings.provider === null || pending.length === 0) return;
  let client: ReturnType<typeof createModelClient>;
  try {
    client = createModelClient(settings, process.env, { repoRoot: ctx.paths.repoRoot, registerKey: true });
  } catch (err) {
    // A key this worker cannot read: the files stay for a person, saying why (preflight PP015 says how to fix it).
    if (!isPushpalsError(err)) throw err;
    for (const [, o] of pending) if (o.strategy === "unresolved") o.notes.push(`the model could not be asked: ${err.message.slice(0, 300)}`);
    return;
  }
  const meter = jobBudgetMeter(settings.budget, await ctx.modelUsageToday());
  let step = 0;
  for (const [path, outcome] of pending) {
    const side = sides.get(path);
    if (!side || side.base === null || side.ours === null || side.theirs === null || outcome.strategy !== "unresolved") continue;
    if (Math.max(side.base.length, side.ours.length, side.theirs.length) > MAX_MODEL_MERGE_CHARS) {
      outcome.notes.push(`too large for the model (over ${MAX_MODEL_MERGE_CHARS} characters a side)`);
      continue;
    }
    // A secret's file, or a side holding a credential: never sent to a model provider.
    if (SECRET_FILE.test(path) || [side.base, side.ours, side.theirs].some(holdsTokenLikeSecret)) {
      outcome.notes.push("it holds what looks like a credential, so the model was not asked; left for a person");
      continue;
    }
    // Binary or not UTF-8 (decoded with replacement characters): no text for a model to merge.
    if ([side.base, side.ours, side.theirs].some((text) => text.includes("\u0000") || text.includes("\uFFFD"))) {
      outcome.notes.push("not text: left for a person");
      continue;
    }
    step++;
    try {
      // Other jobs' usage since the last file counts against the day's budget too.
      if (step > 1) meter.seeDay(await ctx.modelUsageToday(meter.day).catch(() => ({ tokens: 0, costUsd: 0 })));
      meter.step();
      await ctx.progress({ step: "model", index: step }).catch(() => {});
      const messages = modelMergePrompt({ path, base: side.base, ours: side.ours, theirs: side.theirs, oursSubjects: subjects.ours, theirsSubjects: subjects.theirs, nonce: randomBytes(9).toString("hex") });
      const room = meter.remainingTokens();
      const reply = await client.complete(messages, { signal: ctx.signal, maxOutputTokens: Math.max(1, Math.min(settings.max_output_tokens, room ?? Infinity)) });
      const cost = costOf(reply.usage, settings.prices);
      // A reply cut off by its token limit may still look like a whole file: it is not one.
      const cut = ["length", "content-filter", "error"].includes(reply.finishReason);
      const parsed = cut ? { invalid: `the reply was cut off (${reply.finishReason})` } : parseModelMerge(reply.text, side.ours.endsWith("\n"));
      const why = "text" in parsed ? null : "unresolvable" in parsed ? parsed.unresolvable : parsed.invalid;
      await ctx.recordModelExchange({ step, model: client.label, sent: messages, reply: reply.text, usage: reply.usage, costUsd: cost, durationMs: reply.durationMs, action: { kind: why ? "refused" : "submit", command: null, exitCode: null, note: why ?? `the merged ${path}` } }).then(
        () => meter.recorded(reply.usage, cost),
        (err: unknown) => ctx.log("system", `conflict model: ${path} could not be recorded: ${err instanceof Error ? err.message : String(err)}`),
      );
      meter.charge(reply.usage, cost);
      if ("text" in parsed) {
        outcomes.set(path, { strategy: "model", text: parsed.text, notes: [`merged by ${client.label}; checked on the exact commit and reviewed, at least Medium: a person approves it`] });
        continue;
      }
      outcome.notes.push(`the model did not resolve it: ${why}`);
    } catch (err) {
      // The budget, the provider's error: this file and the rest stay for a person, saying why.
      if (!(err instanceof JobFailure) || !["budget_exceeded", "model_error"].includes(err.failureClass)) throw err;
      for (const [p, o] of pending) if (o.strategy === "unresolved" && outcomes.get(p) === o) o.notes.push(`the model could not be asked: ${err.message.slice(0, 300)}`);
      ctx.log("system", `conflict model: stopped at ${path}: ${err.message}`);
      return;
    }
  }
}
