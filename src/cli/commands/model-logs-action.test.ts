import { expect, test } from "bun:test";
import type { ModelExchangeRecord } from "../../models/model-usage.ts";
import { dollars, exchangeText, modelUsageText, tokenCount } from "./model-logs-action.ts";

function record(over: Partial<ModelExchangeRecord>): ModelExchangeRecord {
  return {
    id: 1,
    attempt: 1,
    recordedAt: 0,
    step: 1,
    model: "anthropic/claude-sonnet-4-5",
    sent: [
      { role: "system", content: "You are PushPals' agent.\nOne command per reply." },
      { role: "user", content: "Goal: fix the lint error" },
    ],
    reply: "Let me look.\n```bash\nnpm run lint\n```",
    usage: { inputTokens: 12_345, outputTokens: 678 },
    costUsd: 0.04712,
    durationMs: 2_345,
    action: { kind: "command", command: "npm run lint", exitCode: 1, note: null },
    ...over,
  };
}

test("one exchange: a header, the messages sent behind '> ', the reply behind '< ', the action", () => {
  expect(exchangeText(record({})).split("\n")).toEqual([
    "step 1 (attempt 1)  anthropic/claude-sonnet-4-5  12,345 in + 678 out tokens  $0.0471  2.3 s",
    "  sent (system):",
    "  > You are PushPals' agent.",
    "  > One command per reply.",
    "  sent (user):",
    "  > Goal: fix the lint error",
    "  reply:",
    "  < Let me look.",
    "  < ```bash",
    "  < npm run lint",
    "  < ```",
    "  action: command (exit 1): npm run lint",
    "",
    "",
  ]);
});

test("the model's text cannot drive the terminal or pass for PushPals' own lines: every control is made visible", () => {
  const text = exchangeText(
    record({
      step: 4,
      attempt: 2,
      model: "evil\x1b]0;title\x07",
      sent: [],
      reply: "\x1b[2J\rfix: run rm -rf /\u202e",
      action: { kind: "command", command: "echo a\necho b\x1b[31m", exitCode: null, note: "killed\x9b" },
    }),
  );
  expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/);
  const lines = text.split("\n");
  expect(lines[0]).toStartWith("step 4 (attempt 2)  evil\\x1b]0;title\\x07  ");
  expect(lines).toContain("  < \\x1b[2J\\rfix: run rm -rf /\\u{202e}");
  expect(lines).toContain("  action: command (no exit code): echo a\\necho b\\x1b[31m: killed\\x9b");
});

test("submit and refused replies say so, with the loop's note", () => {
  expect(exchangeText(record({ action: { kind: "submit", command: null, exitCode: null, note: null } }))).toContain("\n  action: submit\n");
  expect(exchangeText(record({ action: { kind: "refused", command: null, exitCode: null, note: "the reply has 2 command blocks" } }))).toContain("\n  action: refused: the reply has 2 command blocks\n");
});

test("the usage line and its numbers", () => {
  expect(modelUsageText({ inputTokens: 10_000, outputTokens: 2_345, tokens: 12_345, costUsd: 0.042, exchanges: 3 })).toBe("3 model exchanges: 12,345 tokens (10,000 in, 2,345 out), $0.0420");
  expect(modelUsageText({ inputTokens: 1, outputTokens: 0, tokens: 1, costUsd: 0, exchanges: 1 })).toBe("1 model exchange: 1 tokens (1 in, 0 out), $0.00");
  expect([dollars(0), dollars(0.00005), dollars(1.5), dollars(20)]).toEqual(["$0.00", "$0.0001", "$1.50", "$20.00"]);
  expect(tokenCount(3_000_000)).toBe("3,000,000");
});
