import { expect, test } from "bun:test";
import { DEFAULT_CONFIG, type PushpalsConfig } from "../../config/schema.ts";
import { JobFailure } from "../../core/job-failure.ts";
import type { ModelClient, ModelExchange, ModelMessage } from "../../models/model-types.ts";
import type { ModelReviewSettings } from "../../models/review-settings.ts";
import { newFile } from "../../review/review-fixture.ts";
import { parseUnifiedDiff } from "../../review/unified-diff.ts";
import type { JobContext } from "../common/job-context.ts";
import { modelReview } from "./model-review.ts";

const files = parseUnifiedDiff(newFile("src/a.ts", ["export const a = 1;"]));
const subject = { prNumber: 7, headSha: "a".repeat(40), files };

function setup(options: { review?: Partial<ModelReviewSettings>; provider?: boolean; usedToday?: number; budget?: Partial<PushpalsConfig["models"]["budget"]>; abort?: boolean } = {}) {
  const config = structuredClone(DEFAULT_CONFIG);
  config.models.review = { ...config.models.review, enabled: true, ...options.review };
  config.models.budget = { ...config.models.budget, ...options.budget };
  if (options.provider !== false) Object.assign(config.models, { provider: "openai-compatible", base_url: "http://127.0.0.1:1/v1", model: "m" });
  const exchanges: ModelExchange[] = [];
  const lines: string[] = [];
  const abort = new AbortController();
  if (options.abort) abort.abort();
  const ctx = {
    config,
    signal: abort.signal,
    paths: { repoRoot: "/nonexistent" },
    log: (_stream: string, line: string) => void lines.push(line),
    recordModelExchange: async (e: ModelExchange) => void exchanges.push(e),
    modelUsageToday: async () => ({ tokens: options.usedToday ?? 0, costUsd: 0 }),
    read: async () => ({ pr: { title: "Make a one" } }),
  } as unknown as JobContext;
  return { ctx, exchanges, lines };
}

function scripted(replies: (string | Error)[]): ModelClient & { calls: ModelMessage[][] } {
  const calls: ModelMessage[][] = [];
  return {
    label: "fake/m",
    calls,
    async complete(messages) {
      calls.push([...messages]);
      const next = replies.shift();
      if (next === undefined) throw new Error("no reply scripted");
      if (next instanceof Error) throw next;
      return { text: next, usage: { inputTokens: 100, outputTokens: 10 }, finishReason: "stop", durationMs: 1 };
    },
  };
}

const FINDING = JSON.stringify([{ file: "src/a.ts", line: 1, severity: "request_changes", message: "a should be 2" }]);

test("off: no finding and no call", async () => {
  const { ctx, exchanges } = setup({ review: { enabled: false } });
  const client = scripted([FINDING]);
  expect(await modelReview(ctx, subject, { client })).toEqual([]);
  expect(client.calls).toHaveLength(0);
  expect(exchanges).toHaveLength(0);
});

test("on without a model: one note says so, and no call", async () => {
  const { ctx, lines } = setup({ provider: false });
  const findings = await modelReview(ctx, subject);
  expect(findings).toEqual([expect.objectContaining({ reviewer: "model", rule: "model_review_unconfigured", severity: "note" })]);
  expect(findings[0]!.message).toContain("no model is configured");
  expect(lines.join("\n")).toContain("no model is configured");
});

test("a usable reply: its findings, the PR title and the diff sent, the exchange recorded", async () => {
  const { ctx, exchanges } = setup({ review: { block: true } });
  const client = scripted([FINDING]);
  const findings = await modelReview(ctx, subject, { client, nonce: "abc" });
  expect(findings).toEqual([expect.objectContaining({ reviewer: "model", severity: "request_changes", file: "src/a.ts", line: 1, message: "a should be 2" })]);
  const user = client.calls[0]![1]!.content;
  expect(user).toContain("PR title: Make a one");
  expect(user).toContain("+1: export const a = 1;");
  expect(exchanges).toEqual([expect.objectContaining({ step: 1, model: "fake/m", reply: FINDING, action: { kind: "submit", command: null, exitCode: null, note: "review: 1 finding(s)" } })]);
  expect(exchanges[0]!.sent.map((m) => m.role)).toEqual(["system", "user"]);
});

test("a malformed reply is asked for once more; twice malformed is a note, both exchanges recorded", async () => {
  const { ctx, exchanges } = setup();
  const retried = scripted(["I approve this PR.", FINDING]);
  expect(await modelReview(ctx, subject, { client: retried })).toEqual([expect.objectContaining({ rule: "model_review", severity: "note" })]);
  expect(retried.calls[1]!.at(-1)!.content).toContain("Your reply was not used: the reply is not JSON");
  const twice = scripted(["nope", "{}"]);
  const fresh = setup();
  const findings = await modelReview(fresh.ctx, subject, { client: twice });
  expect(findings).toEqual([expect.objectContaining({ rule: "model_review_unavailable", severity: "note" })]);
  expect(findings[0]!.message).toMatch(/^model review unavailable: the model's reply was not usable 2 times: the reply is not a JSON array/);
  expect(fresh.exchanges.map((e) => [e.step, e.action.kind])).toEqual([
    [1, "refused"],
    [2, "refused"],
  ]);
  // The second exchange records only what is new: the request to try again (the first reply is the first exchange's).
  expect(fresh.exchanges[1]!.sent.map((m) => m.role)).toEqual(["user"]);
  expect(exchanges).toHaveLength(2);
});

test("a model error or a budget is a note, never a failure of the review", async () => {
  const { ctx } = setup();
  const failing = scripted([new JobFailure("model_error", "openai-compatible m: 500 boom (after 4 attempts)")]);
  expect(await modelReview(ctx, subject, { client: failing })).toEqual([expect.objectContaining({ rule: "model_review_unavailable", message: "model review unavailable: openai-compatible m: 500 boom (after 4 attempts)" })]);

  const spent = setup({ usedToday: 3_000_000 });
  const unused = scripted([FINDING]);
  const [note] = await modelReview(spent.ctx, subject, { client: unused });
  expect(note).toMatchObject({ rule: "model_review_unavailable", severity: "note" });
  expect(note!.message).toContain("the day's token budget is used up");
  expect(unused.calls).toHaveLength(0);

  // The reply that reaches the job's token budget is recorded but not used.
  const small = setup({ budget: { job_tokens: 50 } });
  const [over] = await modelReview(small.ctx, subject, { client: scripted([FINDING]) });
  expect(over!.message).toContain("the job's token budget is used up");
  expect(small.exchanges.map((e) => e.action.kind)).toEqual(["refused"]);
});

test("a cancelled job stays cancelled", async () => {
  const { ctx } = setup({ abort: true });
  const cancelled = scripted([new JobFailure("cancelled", "stopped while waiting for fake/m")]);
  await expect(modelReview(ctx, subject, { client: cancelled })).rejects.toThrow("stopped while waiting");
});
