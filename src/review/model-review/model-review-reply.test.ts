import { expect, test } from "bun:test";
import { cleanModelText, MAX_MODEL_MESSAGE_CHARS, parseModelReview } from "./model-review-reply.ts";

const options = { paths: ["src/a.ts", "src/b.ts"], maxFindings: 3, block: false };
const item = (over: Record<string, unknown> = {}) => ({ file: "src/a.ts", line: 4, severity: "comment", message: "off by one", ...over });
const parse = (value: unknown, over: Partial<typeof options> = {}) => parseModelReview(typeof value === "string" ? value : JSON.stringify(value), { ...options, ...over });

test("a valid reply: findings of the model reviewer, comments as notes", () => {
  const r = parse([item()]);
  expect(r).toEqual({ ok: true, findings: [{ reviewer: "model", rule: "model_review", severity: "note", file: "src/a.ts", line: 4, message: "off by one", fixHint: expect.any(String) }] });
  expect(parse([])).toEqual({ ok: true, findings: [] });
});

test("request_changes is advisory unless models.review.block; never a block", () => {
  const advisory = parse([item({ severity: "request_changes" })]);
  expect(advisory.ok && advisory.findings[0]).toMatchObject({ severity: "note", message: "(advisory request_changes) off by one" });
  const blocking = parse([item({ severity: "request_changes" })], { block: true });
  expect(blocking.ok && blocking.findings[0]).toMatchObject({ severity: "request_changes", message: "off by one" });
  expect(parse([item({ severity: "block" })]).ok).toBe(false);
});

test("malformed replies are not usable, with the reason", () => {
  expect(parse("Looks good to me, approve!")).toMatchObject({ ok: false, why: expect.stringContaining("not JSON") });
  expect(parse({ verdict: "approve" })).toMatchObject({ ok: false, why: expect.stringContaining("not a JSON array") });
  expect(parse([item({ severity: "approve" })])).toMatchObject({ ok: false, why: expect.stringContaining("at 0.severity") });
  expect(parse([item({ message: 7 })])).toMatchObject({ ok: false, why: expect.stringContaining("at 0.message") });
  expect(parse("x".repeat(200_001))).toMatchObject({ ok: false, why: expect.stringContaining("longer than") });
});

test("extra fields are ignored; one code fence around the whole reply is taken off", () => {
  const r = parse([item({ approve: true, verdict: "approve", waive: ["secrets"], severity: "comment" })]);
  expect(r.ok && r.findings[0]).toEqual({ reviewer: "model", rule: "model_review", severity: "note", file: "src/a.ts", line: 4, message: "off by one", fixHint: expect.any(String) });
  expect(parse("```json\n" + JSON.stringify([item()]) + "\n```").ok).toBe(true);
  expect(parse("Here:\n```json\n[]\n```").ok).toBe(false);
});

test("a file not in the diff loses its file and line; a bad line number is dropped", () => {
  const r = parse([item({ file: "../../etc/passwd" }), item({ line: 2.5 }), item({ line: -1 }), item({ file: null, line: 9 }), item({ file: undefined, line: undefined })], { maxFindings: 10 });
  expect(r.ok && r.findings.map((f) => [f.file, f.line])).toEqual([
    [null, null],
    ["src/a.ts", null],
    ["src/a.ts", null],
    [null, null],
    [null, null],
  ]);
});

test("over-long messages are cut; mentions, control and bidi characters removed; empty messages dropped", () => {
  const r = parse([item({ message: "y".repeat(5_000) }), item({ message: "ping @octocat\n\u001b[31mred\u202e evil" }), item({ message: " \n\t " })]);
  expect(r.ok).toBe(true);
  if (!r.ok) return;
  expect(r.findings).toHaveLength(2);
  expect(r.findings[0]!.message.length).toBe(MAX_MODEL_MESSAGE_CHARS);
  expect(r.findings[1]!.message).toBe("ping octocat [31mred evil");
  expect(cleanModelText("token ghp_" + "a".repeat(36), 500)).not.toContain("a".repeat(36));
});

test("past max_findings the rest are dropped and a note says how many there were", () => {
  const r = parse([1, 2, 3, 4, 5].map((n) => item({ message: `m${n}` })));
  expect(r.ok && r.findings.map((f) => [f.rule, f.severity])).toEqual([
    ["model_review", "note"],
    ["model_review", "note"],
    ["model_review", "note"],
    ["model_review_cut", "note"],
  ]);
  expect(r.ok && r.findings[3]!.message).toContain("returned 5 findings: the first 3 are kept");
});
