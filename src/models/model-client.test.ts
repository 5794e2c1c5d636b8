import { afterEach, describe, expect, test } from "bun:test";
import { startScriptedModel, type ScriptedModel, type ScriptedTurn } from "../../test/helpers/scripted-model.ts";
import { isPushpalsError } from "../core/errors.ts";
import { JobFailure } from "../core/job-failure.ts";
import { costOf, createModelClient, MAX_RETRY_WAIT_MS, retryAfter } from "./model-client.ts";
import type { ModelMessage } from "./model-types.ts";
import { DEFAULT_MODELS_SETTINGS, type ModelsSettings } from "./models-settings.ts";

const KEY = "pp-test-key-7f3a9c2e1b4d6f8a0c2e4b6d";
const ENV = { MODEL_KEY: KEY };
const MESSAGES: ModelMessage[] = [
  { role: "system", content: "You are a careful engineer." },
  { role: "user", content: "Fix the failing test." },
];

let servers: ScriptedModel[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.stop();
});

function serve(script: ScriptedTurn[]): ScriptedModel {
  const server = startScriptedModel(script);
  servers.push(server);
  return server;
}

function settingsFor(server: ScriptedModel, overrides: Partial<ModelsSettings> = {}): ModelsSettings {
  return { ...DEFAULT_MODELS_SETTINGS, provider: "openai-compatible", base_url: server.url, model: "scripted-model", api_key_env: "MODEL_KEY", ...overrides };
}

/** Records the waits instead of sleeping; jitter at its midpoint. */
function fastRetries() {
  const waits: number[] = [];
  return { waits, options: { sleep: async (ms: number) => void waits.push(ms), random: () => 0.5 } };
}

const signal = () => new AbortController().signal;

async function failure(promise: Promise<unknown>): Promise<JobFailure> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof JobFailure) return err;
    throw err;
  }
  throw new Error("expected a JobFailure");
}

/** The key is never in a failure: message, evidence, anything. */
function expectNoKey(err: JobFailure): void {
  expect(JSON.stringify({ message: err.message, evidence: err.evidence, failure: err.toFailure() })).not.toContain(KEY);
}

describe("createModelClient", () => {
  test("no provider: config_invalid saying no model is configured and how to configure one", () => {
    let caught: unknown;
    try {
      createModelClient(DEFAULT_MODELS_SETTINGS, {});
    } catch (err) {
      caught = err;
    }
    expect(isPushpalsError(caught, "config_invalid")).toBe(true);
    expect((caught as Error).message).toContain("no model is configured");
    expect((caught as { hint: string }).hint).toContain("[models]");
  });

  test("a missing key fails at creation, naming the variable", () => {
    const server = serve([]);
    expect(() => createModelClient(settingsFor(server), {})).toThrow(/MODEL_KEY, which is not set/);
  });

  test("openai-compatible: the reply, its usage, the system message as the instructions, the key only in Authorization", async () => {
    const server = serve([{ reply: "THOUGHT: run the tests\n```bash\nbun test\n```", usage: { inputTokens: 1200, outputTokens: 80 } }]);
    const client = createModelClient(settingsFor(server, { max_output_tokens: 512 }), ENV);
    expect(client.label).toBe("openai-compatible/scripted-model");
    const reply = await client.complete(MESSAGES, { signal: signal() });
    expect(reply).toMatchObject({ text: "THOUGHT: run the tests\n```bash\nbun test\n```", usage: { inputTokens: 1200, outputTokens: 80 }, finishReason: "stop" });
    expect(reply.durationMs).toBeGreaterThanOrEqual(0);
    const [sent] = server.completions();
    expect(sent).toMatchObject({ path: "/v1/chat/completions", model: "scripted-model", maxTokens: 512, messages: MESSAGES });
    expect(sent!.headers.authorization).toBe(`Bearer ${KEY}`);
    const elsewhere = Object.entries(sent!.headers).filter(([name, value]) => name !== "authorization" && value.includes(KEY));
    expect(elsewhere).toEqual([]);
    expect(sent!.body).not.toContain(KEY);
  });

  test("maxOutputTokens of the call wins over the setting; no usage in the answer counts as 0", async () => {
    const server = serve([{ reply: "ok", usage: null }]);
    const reply = await createModelClient(settingsFor(server), ENV).complete(MESSAGES, { signal: signal(), maxOutputTokens: 7 });
    expect(reply.usage).toEqual({ inputTokens: 0, outputTokens: 0 });
    expect(server.completions()[0]!.maxTokens).toBe(7);
  });

  test("no key configured: no Authorization header at all (a local server)", async () => {
    const server = serve([{ reply: "ok" }]);
    await createModelClient(settingsFor(server, { api_key_env: null }), {}).complete(MESSAGES, { signal: signal() });
    expect(server.completions()[0]!.headers.authorization).toBeUndefined();
  });

  test("attack: a redirect from the endpoint is an error, never followed: the key and the prompt stay with the configured host", async () => {
    let hits = 0;
    const elsewhere = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => (hits++, Response.json({})) });
    try {
      for (const provider of ["anthropic", "openai-compatible"] as const) {
        const location = `http://127.0.0.1:${elsewhere.port}${provider === "anthropic" ? "/v1/messages" : "/v1/chat/completions"}`;
        const server = serve([{ status: 307, headers: { location }, message: "moved" }]);
        const err = await failure(createModelClient(settingsFor(server, { provider, model: "m", retries: 0 }), ENV).complete(MESSAGES, { signal: signal() }));
        expect(err.failureClass).toBe("model_error");
        expect(err.message).not.toContain(KEY);
      }
      expect(hits).toBe(0);
    } finally {
      elsewhere.stop(true);
    }
  });

  test("anthropic: the Messages API shape, the key only in x-api-key", async () => {
    const server = serve([{ reply: "done", usage: { inputTokens: 30, outputTokens: 4 } }]);
    const client = createModelClient(settingsFor(server, { provider: "anthropic", model: "claude-test" }), ENV);
    expect(client.label).toBe("anthropic/claude-test");
    const reply = await client.complete(MESSAGES, { signal: signal() });
    expect(reply).toMatchObject({ text: "done", usage: { inputTokens: 30, outputTokens: 4 } });
    const [sent] = server.completions();
    expect(sent).toMatchObject({ path: "/v1/messages", format: "anthropic", model: "claude-test", messages: MESSAGES });
    expect(sent!.headers["x-api-key"]).toBe(KEY);
    expect(sent!.headers.authorization).toBeUndefined();
    expect(Object.entries(sent!.headers).filter(([name, value]) => name !== "x-api-key" && value.includes(KEY))).toEqual([]);
  });

  test("429 with Retry-After, then success: the wait is the header's (not the backoff), and the reply comes", async () => {
    const server = serve([{ status: 429, message: "slow down", headers: { "retry-after": "0.05" } }, { reply: "second time" }]);
    const { waits, options } = fastRetries();
    const reply = await createModelClient(settingsFor(server), ENV, options).complete(MESSAGES, { signal: signal() });
    expect(reply.text).toBe("second time");
    expect(waits).toEqual([50]);
    expect(server.completions()).toHaveLength(2);
  });

  test("Retry-After is really waited (the default sleep), and retry-after-ms wins", async () => {
    const server = serve([{ status: 429, headers: { "retry-after": "0.2" } }, { status: 503, headers: { "retry-after-ms": "100", "retry-after": "20" } }, { reply: "ok" }]);
    const reply = await createModelClient(settingsFor(server), ENV).complete(MESSAGES, { signal: signal() });
    expect(reply.text).toBe("ok");
    const [first, second, third] = server.completions();
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(190);
    expect(third!.at - second!.at).toBeGreaterThanOrEqual(90);
    expect(third!.at - second!.at).toBeLessThan(5_000);
    expect(reply.durationMs).toBeGreaterThanOrEqual(290);
  });

  test("500 is retried up to `retries` with exponential backoff, then model_error with the provider's message", async () => {
    const server = serve(Array.from({ length: 5 }, () => ({ status: 500, message: "upstream overloaded" })));
    const { waits, options } = fastRetries();
    const err = await failure(createModelClient(settingsFor(server, { retries: 3 }), ENV, options).complete(MESSAGES, { signal: signal() }));
    expect(err.failureClass).toBe("model_error");
    expect(err.message).toBe("openai-compatible scripted-model: 500 upstream overloaded (after 4 attempts)");
    expect(err.evidence.notRetryable).toBeUndefined();
    expect(server.completions()).toHaveLength(4);
    expect(server.remaining()).toBe(1);
    // 1 s, 2 s, 4 s at the jitter's midpoint (0.75 of each).
    expect(waits).toEqual([750, 1500, 3000]);
    expectNoKey(err);
  });

  test("the wait is capped at 30 s, whatever Retry-After or the backoff says", async () => {
    const server = serve([{ status: 429, headers: { "retry-after": "3600" } }, { reply: "ok" }]);
    const { waits, options } = fastRetries();
    await createModelClient(settingsFor(server), ENV, options).complete(MESSAGES, { signal: signal() });
    expect(waits).toEqual([MAX_RETRY_WAIT_MS]);
  });

  test("401 is not retried: the message says the key was refused and which variable it came from", async () => {
    const server = serve([{ status: 401, message: `Incorrect API key provided: ${KEY}` }, { reply: "never" }]);
    const { waits, options } = fastRetries();
    const err = await failure(createModelClient(settingsFor(server), ENV, options).complete(MESSAGES, { signal: signal() }));
    expect(err.failureClass).toBe("model_error");
    expect(err.message).toContain("openai-compatible scripted-model: 401 ");
    expect(err.message).toContain("the key from env MODEL_KEY was refused");
    expect(err.message).toContain("[REDACTED]");
    expect(err.evidence.notRetryable).toContain("MODEL_KEY");
    expect(server.completions()).toHaveLength(1);
    expect(waits).toEqual([]);
    expectNoKey(err);
  });

  test("403 and 404 and 400 are not retried; 404 says the model or the URL is wrong", async () => {
    const server = serve([{ status: 403, message: "forbidden" }, { status: 404, message: "model not found" }, { status: 400, message: "context too long" }]);
    const { waits, options } = fastRetries();
    const client = createModelClient(settingsFor(server), ENV, options);
    expect((await failure(client.complete(MESSAGES, { signal: signal() }))).message).toContain("403 forbidden: the key from env MODEL_KEY was refused");
    const notFound = await failure(client.complete(MESSAGES, { signal: signal() }));
    expect(notFound.message).toContain("404 model not found: the model or the URL is wrong");
    expect(notFound.evidence.notRetryable).toContain("models.model");
    const bad = await failure(client.complete(MESSAGES, { signal: signal() }));
    expect(bad.message).toBe("openai-compatible scripted-model: 400 context too long");
    expect(bad.evidence.notRetryable).toContain("400");
    expect(waits).toEqual([]);
    expect(server.completions()).toHaveLength(3);
  });

  test("a malformed answer is model_error (not retried), naming the provider", async () => {
    const server = serve([{ malformed: "<html>502 bad gateway</html>" }, { malformed: '{"choices": "nope"}' }]);
    const { waits, options } = fastRetries();
    const client = createModelClient(settingsFor(server), ENV, options);
    for (let i = 0; i < 2; i++) {
      const err = await failure(client.complete(MESSAGES, { signal: signal() }));
      expect(err.failureClass).toBe("model_error");
      expect(err.message).toStartWith("openai-compatible scripted-model: the answer from");
      expect(err.message).toContain("is not a usable openai-compatible reply");
    }
    expect(waits).toEqual([]);
  });

  test("a server that is not there: network errors are retried, then model_error naming the URL", async () => {
    const server = serve([]);
    const url = server.url;
    server.stop();
    const { waits, options } = fastRetries();
    const err = await failure(createModelClient(settingsFor(server, { retries: 2 }), ENV, options).complete(MESSAGES, { signal: signal() }));
    expect(err.failureClass).toBe("model_error");
    expect(err.message).toStartWith(`openai-compatible scripted-model: cannot reach ${url}: `);
    expect(err.message).toEndWith("(after 3 attempts)");
    expect(waits).toHaveLength(2);
    expectNoKey(err);
  });

  test("the request timeout: model_error naming models.request_timeout_seconds (not retried)", async () => {
    const server = serve([{ reply: "late", delayMs: 3_000 }, { reply: "never" }]);
    const { waits, options } = fastRetries();
    const started = performance.now();
    const err = await failure(createModelClient(settingsFor(server, { request_timeout_seconds: 1 }), ENV, options).complete(MESSAGES, { signal: signal() }));
    expect(performance.now() - started).toBeLessThan(2_500);
    expect(err.message).toContain("no answer from");
    expect(err.message).toContain("within 1 s (models.request_timeout_seconds)");
    expect(waits).toEqual([]);
  });

  test("the caller's signal: cancelled, at once, also during a retry wait", async () => {
    const server = serve([{ reply: "late", delayMs: 2_000 }, { status: 500 }, { reply: "never" }]);
    const client = createModelClient(settingsFor(server), ENV);
    const controller = new AbortController();
    setTimeout(() => controller.abort("cancelled"), 50);
    const during = await failure(client.complete(MESSAGES, { signal: controller.signal }));
    expect(during.failureClass).toBe("cancelled");
    const waiting = new AbortController();
    const started = performance.now();
    const pending = client.complete(MESSAGES, { signal: waiting.signal });
    setTimeout(() => waiting.abort("cancelled"), 100);
    expect((await failure(pending)).failureClass).toBe("cancelled");
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe("costOf and retryAfter", () => {
  test("costOf: USD per million tokens, input and output priced apart; a local model costs 0", () => {
    expect(costOf({ inputTokens: 1_000_000, outputTokens: 500_000 }, { input_per_mtok: 3, output_per_mtok: 15 })).toBeCloseTo(10.5, 10);
    expect(costOf({ inputTokens: 1200, outputTokens: 80 }, { input_per_mtok: 0, output_per_mtok: 0 })).toBe(0);
  });

  test("retryAfter: retry-after-ms, seconds (fractions too), an HTTP date, nothing", () => {
    expect(retryAfter({ "retry-after-ms": "250" })).toBe(250);
    expect(retryAfter({ "Retry-After": "2" })).toBe(2000);
    expect(retryAfter({ "retry-after": "0.5" })).toBe(500);
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(retryAfter({ "retry-after": "Wed, 01 Jan 2025 00:00:07 GMT" }, now)).toBe(7000);
    expect(retryAfter({})).toBeNull();
    expect(retryAfter({ "retry-after": "soon" })).toBeNull();
  });
});
