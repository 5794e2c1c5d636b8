import { registerSecret } from "../secrets/redact.ts";
import type { LanguageModel } from "ai";
import { PushpalsError } from "../core/errors.ts";
import { JobFailure } from "../core/job-failure.ts";
import { REDACTED, redactText } from "../secrets/redact.ts";
import { readModelKey, type ModelKey } from "./model-key.ts";
import type { ModelMessage, ModelClient, ModelReply, ModelUsage } from "./model-types.ts";
import type { ModelPrices, ModelsSettings } from "./models-settings.ts";
import { modelProviderById } from "./providers/registry.ts";

/** No wait between two attempts is longer, whatever Retry-After says. */
export const MAX_RETRY_WAIT_MS = 30_000;
const BASE_RETRY_WAIT_MS = 1_000;
const MAX_MESSAGE_CHARS = 1_000;

/** For tests: how to wait and where the jitter comes from. */
export interface ModelClientOptions {
  /** The directory PushPals works on: a key file inside it is refused (see readModelKey). */
  repoRoot?: string;
  /** Register the key's value with the process's redaction (a worker about to run a model-backed job). */
  registerKey?: boolean;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  random?: () => number;
}

/**
 * The configured model, ready to call (src/models/model-types.ts). The key is read here, host-side,
 * from the worker's own environment or key file, and lives only in this client's closure; the AI SDK
 * itself loads on the first call. `[models]` with no provider is a config_invalid error saying how
 * to configure one.
 */
export function createModelClient(settings: ModelsSettings, env: Record<string, string | undefined> = process.env, options: ModelClientOptions = {}): ModelClient {
  if (settings.provider === null || settings.model === null) {
    throw new PushpalsError("config_invalid", "no model is configured: model-backed work needs [models] in .pushpals/config.toml", {
      field: "models.provider",
      hint: 'set [models] provider = "openai-compatible", base_url = "http://127.0.0.1:11434/v1", model = "qwen2.5-coder:7b" (a local Ollama), or provider = "anthropic" with model and api_key_env',
    });
  }
  const provider = modelProviderById(settings.provider);
  const key = readModelKey(settings, { env, ...(options.repoRoot === undefined ? {} : { repoRoot: options.repoRoot }) });
  // The process that calls the model (a worker) removes the key's exact value from every text it redacts from now on.
  if (key && options.registerKey) registerSecret(key.value);
  const label = `${provider.id}/${settings.model}`;
  const connection = { baseUrl: settings.base_url, model: settings.model };
  const where = settings.base_url ?? provider.defaultBaseUrl ?? "(no base_url)";
  let model: Promise<LanguageModel> | null = null;
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;
  const describe = { provider: provider.id, model: settings.model, where, key, timeoutSeconds: settings.request_timeout_seconds };

  return {
    label,
    async complete(messages, callOptions): Promise<ModelReply> {
      const started = performance.now();
      const sdk = await import("ai");
      model ??= provider.create(connection, key?.value ?? null).catch((err: unknown) => {
        model = null;
        throw err;
      });
      const languageModel = await model;
      const instructions = messages.filter((m) => m.role === "system").map((m) => m.content).join("\n\n");
      const conversation = messages.filter((m): m is ModelMessage & { role: "user" | "assistant" } => m.role !== "system").map((m) => ({ role: m.role, content: m.content }));
      const maxOutputTokens = callOptions.maxOutputTokens ?? settings.max_output_tokens;
      for (let attempt = 0; ; attempt++) {
        if (callOptions.signal.aborted) throw cancelled(label);
        const timeout = AbortSignal.timeout(settings.request_timeout_seconds * 1000);
        try {
          const result = await sdk.generateText({
            model: languageModel,
            ...(instructions === "" ? {} : { instructions }),
            messages: conversation,
            maxOutputTokens,
            maxRetries: 0,
            abortSignal: AbortSignal.any([callOptions.signal, timeout]),
          });
          const usage: ModelUsage = { inputTokens: count(result.usage.inputTokens), outputTokens: count(result.usage.outputTokens) };
          return { text: result.text, usage, finishReason: String(result.finishReason), durationMs: Math.round(performance.now() - started) };
        } catch (err) {
          if (callOptions.signal.aborted) throw cancelled(label);
          const problem = classify(err, timeout.aborted, sdk.APICallError.isInstance(err) ? err : null);
          if (!problem.retryable || attempt >= settings.retries) throw modelFailure(problem, attempt + 1, describe);
          const backoff = Math.min(MAX_RETRY_WAIT_MS, BASE_RETRY_WAIT_MS * 2 ** attempt) * (0.5 + random() / 2);
          await sleep(Math.min(MAX_RETRY_WAIT_MS, problem.retryAfterMs ?? backoff), callOptions.signal);
        }
      }
    },
  };
}

/** What `usage` cost at `prices` (USD per million tokens). */
export function costOf(usage: ModelUsage, prices: ModelPrices): number {
  return (usage.inputTokens * prices.input_per_mtok + usage.outputTokens * prices.output_per_mtok) / 1_000_000;
}

interface Problem {
  /** null: no HTTP answer (network, timeout, an unusable body). */
  status: number | null;
  /** The provider's own words (or the network error's). */
  said: string;
  retryable: boolean;
  retryAfterMs: number | null;
  kind: "http" | "network" | "timeout" | "unusable";
}

interface Describe {
  provider: string;
  model: string;
  where: string;
  key: ModelKey | null;
  timeoutSeconds: number;
}

function classify(err: unknown, timedOut: boolean, apiError: { statusCode?: number; message: string; responseHeaders?: Record<string, string>; isRetryable: boolean } | null): Problem {
  if (timedOut) return { status: null, said: "", retryable: false, retryAfterMs: null, kind: "timeout" };
  if (apiError) {
    const status = apiError.statusCode ?? null;
    if (status === null) return { status, said: apiError.message, retryable: true, retryAfterMs: null, kind: "network" };
    if (status >= 200 && status < 300) return { status, said: apiError.message, retryable: false, retryAfterMs: null, kind: "unusable" };
    const retryable = status === 429 || status >= 500 || status === 408;
    return { status, said: apiError.message, retryable, retryAfterMs: retryable ? retryAfter(apiError.responseHeaders ?? {}) : null, kind: "http" };
  }
  const message = err instanceof Error ? err.message : String(err);
  // A fetch that never got an answer, not wrapped by the SDK.
  if (/ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|socket|network|fetch failed|Unable to connect/i.test(message)) return { status: null, said: message, retryable: true, retryAfterMs: null, kind: "network" };
  return { status: null, said: message, retryable: false, retryAfterMs: null, kind: "unusable" };
}

/** `retry-after-ms` (OpenAI's), else `Retry-After` in seconds (fractions accepted) or as an HTTP date. */
export function retryAfter(headers: Record<string, string>, now = Date.now()): number | null {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const ms = Number(lower["retry-after-ms"]);
  if (lower["retry-after-ms"] !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  const text = lower["retry-after"]?.trim();
  if (!text) return null;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : null;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function modelFailure(problem: Problem, attempts: number, d: Describe): JobFailure {
  const head = `${d.provider} ${d.model}`;
  const tries = attempts > 1 ? ` (after ${attempts} attempts)` : "";
  const said = clean(problem.said, d.key);
  if (problem.kind === "timeout") return new JobFailure("model_error", `${head}: no answer from ${d.where} within ${d.timeoutSeconds} s (models.request_timeout_seconds)${tries}`);
  if (problem.kind === "network") return new JobFailure("model_error", clip(`${head}: cannot reach ${d.where}: ${said}${tries}`));
  if (problem.kind === "unusable") return new JobFailure("model_error", clip(`${head}: the answer from ${d.where} is not a usable ${d.provider} reply: ${said}`));
  const status = problem.status!;
  if (status === 401 || status === 403) {
    const refused = d.key ? `the key from ${d.key.source} was refused` : "no key was sent (set models.api_key_env or models.api_key_file)";
    return new JobFailure("model_error", clip(`${head}: ${status} ${said}: ${refused}`), { notRetryable: clip(d.key ? `${refused}: set a valid key there` : refused, 1024) });
  }
  if (status === 404) {
    return new JobFailure("model_error", clip(`${head}: 404 ${said}: the model or the URL is wrong (models.model = "${d.model}", base URL ${d.where})`), { notRetryable: "the model or the URL is wrong: fix models.model or models.base_url" });
  }
  const message = clip(`${head}: ${status} ${said}${tries}`);
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) return new JobFailure("model_error", message, { notRetryable: `the provider refused the request (${status})` });
  return new JobFailure("model_error", message);
}

/** The provider's words, redacted: the usual secret patterns and the key's own value, one line, bounded. */
function clean(text: string, key: ModelKey | null): string {
  const out = redactText(key && key.value.length > 0 ? text.split(key.value).join(REDACTED) : text);
  return out.replace(/\s+/g, " ").trim() || "(no message)";
}

function clip(text: string, max = MAX_MESSAGE_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max - 15)}... [truncated]`;
}

function cancelled(label: string): JobFailure {
  return new JobFailure("cancelled", `stopped while waiting for ${label}`);
}

function count(n: number | undefined): number {
  return n !== undefined && Number.isFinite(n) && n > 0 ? Math.round(n) : 0;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
