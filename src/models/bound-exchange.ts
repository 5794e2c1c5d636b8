import { boundedText } from "../core/bounded-text.ts";
import { redactText, redactValue } from "../secrets/redact.ts";
import type { ModelExchange, ModelMessage } from "./model-types.ts";

/** The messages sent in one exchange (their contents together) and its reply are each cut to this many characters when stored. */
export const STORED_TEXT_CHARS = 65_536;

/** `text` cut to `max` characters: its head and its tail, with how much was left out between them. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const headLength = Math.ceil(max / 2);
  const head = boundedText(text, headLength);
  let tail = text.slice(text.length - (max - headLength));
  const first = tail.charCodeAt(0);
  if (first >= 0xdc00 && first <= 0xdfff) tail = tail.slice(1);
  return `${head}\n[… ${text.length - head.length - tail.length} characters not stored …]\n${tail}`;
}

/**
 * An exchange as it may be stored or sent: every text redacted (its secret-looking values and
 * patterns, src/secrets), then cut: the reply to `maxChars`, the sent messages' contents to
 * `maxChars` together (the earlier ones first; a message past the bound keeps only the note).
 * Redacting first: a cut through a token would leave a part no pattern knows.
 */
export function boundExchange(exchange: ModelExchange, maxChars = STORED_TEXT_CHARS): ModelExchange {
  let room = maxChars;
  const sent: ModelMessage[] = exchange.sent.map((m) => {
    const content = redactText(m.content);
    const kept = cutText(content, room);
    room = Math.max(0, room - content.length);
    return { role: m.role, content: kept };
  });
  return {
    step: exchange.step,
    // Redaction may lengthen a short value (`token=a`): each text stays within the contract's bound.
    model: boundedText(redactText(exchange.model), 200),
    sent,
    reply: cutText(redactText(exchange.reply), maxChars),
    usage: { inputTokens: exchange.usage.inputTokens, outputTokens: exchange.usage.outputTokens },
    costUsd: exchange.costUsd,
    durationMs: exchange.durationMs,
    action: boundAction(redactValue(exchange.action)),
  };
}

function boundAction(action: ModelExchange["action"]): ModelExchange["action"] {
  return {
    kind: action.kind,
    command: action.command === null ? null : boundedText(action.command, 8192),
    exitCode: action.exitCode,
    note: action.note === null ? null : boundedText(action.note, 2000),
  };
}

/**
 * `boundExchange` with the largest bound (STORED_TEXT_CHARS, halved as needed, at least 256) whose JSON
 * takes at most `maxBytes` (a worker's request body, the lease fields aside): what a worker sends.
 */
export function boundExchangeWithin(exchange: ModelExchange, maxBytes: number): ModelExchange {
  for (let chars = STORED_TEXT_CHARS; ; chars = Math.floor(chars / 2)) {
    const bound = boundExchange(exchange, chars);
    if (chars <= 256 || Buffer.byteLength(JSON.stringify(bound)) <= maxBytes) return bound;
  }
}
