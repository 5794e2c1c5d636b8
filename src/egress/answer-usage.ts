/**
 * The tokens a model API answer says it used, read by the model proxy as the answer streams past: a JSON
 * body's `usage` (OpenAI's prompt_tokens/completion_tokens, the Responses API's and Anthropic's
 * input_tokens/output_tokens, Anthropic's cache counts added to the input), or in a Server-Sent Events
 * stream the usage objects of its `data:` lines (OpenAI's last chunk, `response.completed`, Anthropic's
 * `message_start` and cumulative `message_delta`): the largest count seen of each, best effort.
 */

export interface AnswerUsage {
  inputTokens: number;
  outputTokens: number;
}

/** JSON bodies are parsed whole up to this size; past it their usage is not read (the proxy estimates it). */
const MAX_JSON_BYTES = 16 * 1024 * 1024;
/** An SSE line longer than this is skipped, not kept. */
const MAX_LINE_CHARS = 1024 * 1024;

type Json = Record<string, unknown>;

const count = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0);

/** The usage in one parsed object: its own `usage`, or that of its `message` (Anthropic's message_start) or `response` (Responses API events). */
export function usageOf(value: unknown): AnswerUsage | null {
  if (value === null || typeof value !== "object") return null;
  const body = value as Json;
  for (const holder of [body, body.message, body.response]) {
    if (holder === null || typeof holder !== "object") continue;
    const usage = (holder as Json).usage;
    if (usage === null || typeof usage !== "object") continue;
    const u = usage as Json;
    const input = count(u.prompt_tokens ?? u.input_tokens) + count(u.cache_creation_input_tokens) + count(u.cache_read_input_tokens);
    const output = count(u.completion_tokens ?? u.output_tokens);
    if ("prompt_tokens" in u || "input_tokens" in u || "completion_tokens" in u || "output_tokens" in u) return { inputTokens: input, outputTokens: output };
  }
  return null;
}

/** Fed the answer's bytes as they pass; `usage()` at the end (null: the answer said nothing of its usage). */
export class AnswerUsageReader {
  private readonly kind: "sse" | "json" | "other";
  private readonly decoder = new TextDecoder();
  private json: Buffer[] = [];
  private jsonBytes = 0;
  private line = "";
  private skippingLine = false;
  private found: AnswerUsage | null = null;

  constructor(contentType: string | null) {
    const type = (contentType ?? "").toLowerCase();
    this.kind = type.includes("text/event-stream") ? "sse" : type.includes("json") ? "json" : "other";
  }

  push(chunk: Uint8Array): void {
    if (this.kind === "json") {
      this.jsonBytes += chunk.length;
      if (this.jsonBytes <= MAX_JSON_BYTES) this.json.push(Buffer.from(chunk));
      else this.json = [];
      return;
    }
    if (this.kind === "sse") this.lines(this.decoder.decode(chunk, { stream: true }));
  }

  usage(): AnswerUsage | null {
    if (this.kind === "json" && this.jsonBytes <= MAX_JSON_BYTES) {
      try {
        this.take(usageOf(JSON.parse(Buffer.concat(this.json).toString("utf8"))));
      } catch {}
    }
    if (this.kind === "sse") {
      this.lines(this.decoder.decode());
      this.lines("\n");
    }
    return this.found;
  }

  private lines(text: string): void {
    let from = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", from)) {
      const piece = text.slice(from, nl);
      from = nl + 1;
      if (!this.skippingLine) this.sseLine(this.line + piece);
      this.line = "";
      this.skippingLine = false;
    }
    if (this.skippingLine) return;
    this.line += text.slice(from);
    if (this.line.length > MAX_LINE_CHARS) {
      this.line = "";
      this.skippingLine = true;
    }
  }

  private sseLine(raw: string): void {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (!line.startsWith("data:")) return;
    const data = line.slice(5).trim();
    if (!data.startsWith("{")) return;
    try {
      this.take(usageOf(JSON.parse(data)));
    } catch {}
  }

  private take(usage: AnswerUsage | null): void {
    if (usage === null) return;
    this.found = {
      inputTokens: Math.max(this.found?.inputTokens ?? 0, usage.inputTokens),
      outputTokens: Math.max(this.found?.outputTokens ?? 0, usage.outputTokens),
    };
  }
}
