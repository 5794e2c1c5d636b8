/**
 * A scripted model server on 127.0.0.1 (Bun.serve, port 0) for tests of the model backends (#19). It
 * speaks both wire formats the providers use: OpenAI's `POST /v1/chat/completions` (openai-compatible)
 * and Anthropic's `POST /v1/messages`, each answered in its own shape; `GET /v1/models` lists the
 * models (both shapes in one body) and takes no turn. Every completion request takes the next turn of
 * the script: a reply, an error status (with headers such as Retry-After), or a malformed body.
 * Every request is recorded (method, path, model, messages, max tokens, every header) so a test can
 * assert what was sent, and that the key went in its header and nowhere else.
 */

export type ScriptedTurn =
  | {
      reply: string;
      /** Omitted: 10 in, 5 out; null: the reply carries no usage at all. */
      usage?: { inputTokens: number; outputTokens: number } | null;
      /** OpenAI's finish_reason ("stop", "length"); Anthropic's stop_reason is derived. */
      finishReason?: string;
      /** Wait this long before answering (to test a request timeout). */
      delayMs?: number;
    }
  | {
      status: number;
      /** The provider's error message (in each format's error body). */
      message?: string;
      /** E.g. { "retry-after": "0.05" }. */
      headers?: Record<string, string>;
      delayMs?: number;
    }
  | {
      /** A 200 answer whose body is this text as is (not the provider's shape, or not JSON at all). */
      malformed: string;
      delayMs?: number;
    };

export interface ScriptedRequest {
  method: string;
  path: string;
  /** "openai" for /v1/chat/completions, "anthropic" for /v1/messages, null for anything else (GET /v1/models). */
  format: "openai" | "anthropic" | null;
  model: string | null;
  /** In order; Anthropic's `system` comes first as a system message, so both formats read alike. */
  messages: { role: string; content: string }[];
  maxTokens: number | null;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** The raw body text ("" for a GET). */
  body: string;
  /** ms since the server started. */
  at: number;
}

export interface ScriptedModel {
  /** The base URL, `http://127.0.0.1:<port>/v1`: models.base_url for either provider. */
  url: string;
  requests: ScriptedRequest[];
  /** Completion requests only (what took turns). */
  completions(): ScriptedRequest[];
  /** Turns not used yet. */
  remaining(): number;
  stop(): void;
}

export function startScriptedModel(script: ScriptedTurn[], options: { models?: string[] } = {}): ScriptedModel {
  const turns = [...script];
  const requests: ScriptedRequest[] = [];
  const started = performance.now();
  const models = options.models ?? ["scripted-model"];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      const body = request.method === "GET" ? "" : await request.text();
      const format = url.pathname === "/v1/chat/completions" ? "openai" : url.pathname === "/v1/messages" ? "anthropic" : null;
      const parsed = parseJson(body);
      requests.push({
        method: request.method,
        path: url.pathname,
        format,
        model: typeof parsed?.model === "string" ? parsed.model : null,
        messages: format === null ? [] : messagesOf(parsed, format),
        maxTokens: typeof parsed?.max_tokens === "number" ? parsed.max_tokens : typeof parsed?.max_completion_tokens === "number" ? parsed.max_completion_tokens : null,
        headers: Object.fromEntries([...request.headers.entries()].map(([k, v]) => [k.toLowerCase(), v])),
        body,
        at: performance.now() - started,
      });
      if (request.method === "GET" && url.pathname === "/v1/models") {
        const data = models.map((id) => ({ id, object: "model", type: "model", display_name: id, created: 0, created_at: "2025-01-01T00:00:00Z", owned_by: "scripted" }));
        return Response.json({ object: "list", data, has_more: false, first_id: models[0] ?? null, last_id: models.at(-1) ?? null });
      }
      if (request.method !== "POST" || format === null) return Response.json({ error: { message: `no route ${request.method} ${url.pathname}`, type: "not_found" } }, { status: 404 });
      const turn = turns.shift();
      if (!turn) return errorResponse(format, 500, "scripted model: the script has no turn left");
      if (turn.delayMs) await Bun.sleep(turn.delayMs);
      if ("malformed" in turn) return new Response(turn.malformed, { status: 200, headers: { "content-type": "application/json" } });
      if ("status" in turn) return errorResponse(format, turn.status, turn.message ?? `scripted error ${turn.status}`, turn.headers);
      const usage = turn.usage === undefined ? { inputTokens: 10, outputTokens: 5 } : turn.usage;
      const model = typeof parsed?.model === "string" ? parsed.model : models[0]!;
      return Response.json(format === "openai" ? openaiReply(turn.reply, model, usage, turn.finishReason ?? "stop") : anthropicReply(turn.reply, model, usage, turn.finishReason ?? "stop"));
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}/v1`,
    requests,
    completions: () => requests.filter((r) => r.format !== null),
    remaining: () => turns.length,
    stop: () => void server.stop(true),
  };
}

type Json = Record<string, unknown>;

function parseJson(text: string): Json | null {
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : null;
  } catch {
    return null;
  }
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((part) => (part && typeof part === "object" && typeof (part as Json).text === "string" ? ((part as Json).text as string) : "")).join("");
  return "";
}

function messagesOf(body: Json | null, format: "openai" | "anthropic"): { role: string; content: string }[] {
  const list = Array.isArray(body?.messages) ? (body.messages as Json[]) : [];
  const out = list.map((m) => ({ role: String(m.role), content: textOf(m.content) }));
  if (format === "anthropic" && body?.system !== undefined) out.unshift({ role: "system", content: textOf(body.system) });
  return out;
}

function openaiReply(text: string, model: string, usage: { inputTokens: number; outputTokens: number } | null, finishReason: string): Json {
  return {
    id: "chatcmpl-scripted",
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: finishReason }],
    ...(usage ? { usage: { prompt_tokens: usage.inputTokens, completion_tokens: usage.outputTokens, total_tokens: usage.inputTokens + usage.outputTokens } } : {}),
  };
}

function anthropicReply(text: string, model: string, usage: { inputTokens: number; outputTokens: number } | null, finishReason: string): Json {
  return {
    id: "msg_scripted",
    type: "message",
    role: "assistant",
    model,
    content: [{ type: "text", text }],
    stop_reason: finishReason === "length" ? "max_tokens" : "end_turn",
    stop_sequence: null,
    usage: usage ? { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens } : { input_tokens: 0, output_tokens: 0 },
  };
}

function errorResponse(format: "openai" | "anthropic", status: number, message: string, headers: Record<string, string> = {}): Response {
  const body =
    format === "openai"
      ? { error: { message, type: status === 429 ? "rate_limit_exceeded" : status === 401 ? "invalid_request_error" : "server_error", code: null } }
      : { type: "error", error: { type: status === 429 ? "rate_limit_error" : status === 401 ? "authentication_error" : "api_error", message } };
  return Response.json(body, { status, headers });
}
