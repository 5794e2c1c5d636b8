import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { PushpalsError } from "../core/errors.ts";
import { Bus } from "../events/bus.ts";
import type { PushpalsEvent } from "../events/registry.ts";
import { JobService, type LeaseRef } from "../jobs/job-service.ts";
import { REDACTED } from "../secrets/redact.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import { boundExchange, boundExchangeWithin, cutText, STORED_TEXT_CHARS } from "./bound-exchange.ts";
import { KEPT_DAYS, MAX_EXCHANGES_PER_ATTEMPT, modelExchangePage, modelUsageOfDay, recordModelExchange } from "./model-exchanges.ts";
import type { ModelExchange } from "./model-types.ts";
import { utcDay } from "./model-usage.ts";

const DAY = 86_400_000;
const TOKEN = `ghp_${"A1b2C3d4".repeat(5)}`;

let dir: ReturnType<typeof tempDir>;
let store: SqliteStore;
let service: JobService;
let now: number;

beforeEach(() => {
  dir = tempDir();
  store = new SqliteStore(join(dir.path, "db.sqlite"));
  now = 20_000 * DAY + 3_600_000;
  service = new JobService(store, new Bus<PushpalsEvent>(), { parseInput: (_kind, input) => input, now: () => now, leaseMs: 60_000 });
});

afterEach(() => {
  store.close();
  dir.cleanup();
});

function leasedJob(worker = "wrk_test0001"): LeaseRef {
  const { job } = service.enqueue({ kind: "noop", input: {}, actor: "test" });
  const claim = service.claim(worker, ["noop"])!;
  expect(claim.job.id).toBe(job.id);
  return { jobId: job.id, workerId: worker, token: claim.token };
}

function exchange(step: number, over: Partial<ModelExchange> = {}): ModelExchange {
  return {
    step,
    model: "anthropic/claude-test",
    sent: [{ role: "user", content: `<returncode>0</returncode> step ${step}` }],
    reply: "```bash\nnpm test\n```",
    usage: { inputTokens: 1_000, outputTokens: 200 },
    costUsd: 0.01,
    durationMs: 1_500,
    action: { kind: "command", command: "npm test", exitCode: 0, note: null },
    ...over,
  };
}

describe("recording exchanges", () => {
  test("a round trip through SQLite, a retried step recorded once, the job's sums and the day's", () => {
    const ref = leasedJob();
    expect(recordModelExchange(service, ref, exchange(1))).toEqual({ recorded: true });
    expect(recordModelExchange(service, ref, exchange(2, { usage: { inputTokens: 3_000, outputTokens: 500 }, costUsd: 0.04, action: { kind: "submit", command: null, exitCode: null, note: null } }))).toEqual({ recorded: true });
    // A retried call (the same step, even with other content) changes nothing.
    expect(recordModelExchange(service, ref, exchange(2, { reply: "something else", costUsd: 9 }))).toEqual({ recorded: false });

    const page = modelExchangePage(store, ref.jobId, 0, 50);
    expect(page.usage).toEqual({ inputTokens: 4_000, outputTokens: 700, tokens: 4_700, costUsd: expect.closeTo(0.05, 9), exchanges: 2 });
    expect(page.next).toBeNull();
    expect(page.exchanges).toEqual([
      { id: expect.any(Number), attempt: 1, recordedAt: now, ...exchange(1) },
      { id: expect.any(Number), attempt: 1, recordedAt: now, ...exchange(2, { usage: { inputTokens: 3_000, outputTokens: 500 }, costUsd: 0.04, action: { kind: "submit", command: null, exitCode: null, note: null } }) },
    ]);
    // Paged by id; limit 0 is the sums alone.
    const first = modelExchangePage(store, ref.jobId, 0, 1);
    expect([first.exchanges.map((e) => e.step), first.next]).toEqual([[1], first.exchanges[0]!.id]);
    expect(modelExchangePage(store, ref.jobId, first.next!, 1).exchanges.map((e) => e.step)).toEqual([2]);
    expect(modelExchangePage(store, ref.jobId, 0, 0)).toMatchObject({ exchanges: [], next: null, usage: { exchanges: 2 } });

    const other = leasedJob("wrk_test0002");
    recordModelExchange(service, other, exchange(1, { usage: { inputTokens: 10, outputTokens: 5 }, costUsd: 0.001 }));
    expect(modelUsageOfDay(store, utcDay(now))).toEqual({ day: utcDay(now), from: 20_000 * DAY, to: 20_001 * DAY, inputTokens: 4_010, outputTokens: 705, tokens: 4_715, costUsd: expect.closeTo(0.051, 9), exchanges: 3, jobs: 2 });
    expect(modelUsageOfDay(store, utcDay(now - DAY))).toMatchObject({ tokens: 0, costUsd: 0, exchanges: 0, jobs: 0 });
    expect(store.modelUsageByDay(null)).toEqual([{ day: 20_000, inputTokens: 4_010, outputTokens: 705, costUsd: expect.closeTo(0.051, 9), exchanges: 3, jobs: 2 }]);
  });

  test("a secret-looking value in the reply, the messages, the action or the model is redacted before it is stored", () => {
    const ref = leasedJob();
    recordModelExchange(service, ref, exchange(1, {
      model: `openai/gpt?api_key=${TOKEN}`,
      sent: [{ role: "user", content: `the env has GITHUB_TOKEN=${TOKEN}` }],
      reply: `I found ${TOKEN} in .env; run:\n\`\`\`bash\ncurl -H "Authorization: Bearer ${TOKEN}" https://api\n\`\`\``,
      action: { kind: "command", command: `curl -H "Authorization: Bearer ${TOKEN}" https://api`, exitCode: 0, note: `password=${TOKEN}` },
    }));
    const raw = JSON.stringify(store.db.query("SELECT * FROM model_exchanges").all());
    expect(raw).not.toContain(TOKEN);
    expect(raw).not.toContain(TOKEN.slice(4, 24));
    const [stored] = modelExchangePage(store, ref.jobId, 0, 10).exchanges;
    expect(stored!.reply).toStartWith(`I found ${REDACTED} in .env`);
    expect(stored!.sent[0]!.content).toBe(`the env has GITHUB_TOKEN=${REDACTED}`);
    expect(stored!.action.command).toContain(REDACTED);
    expect(stored!.action.note).toBe(`password=${REDACTED}`);
  });

  test("texts are cut to the stored bound (head and tail kept), after redaction", () => {
    const ref = leasedJob();
    const long = `${TOKEN} ${"x".repeat(200_000)} tail`;
    recordModelExchange(service, ref, exchange(1, { reply: long, sent: [{ role: "system", content: "s".repeat(40_000) }, { role: "user", content: "u".repeat(40_000) }, { role: "user", content: "last" }] }));
    const [stored] = modelExchangePage(store, ref.jobId, 0, 10).exchanges;
    expect(stored!.reply.length).toBeLessThan(STORED_TEXT_CHARS + 100);
    expect(stored!.reply).toStartWith(`${REDACTED} xxx`);
    expect(stored!.reply).toEndWith("xxx tail");
    expect(stored!.reply).toMatch(/\n\[… \d+ characters not stored …\]\n/);
    // The messages' contents together: the first whole, the second cut to what is left, the third only the note.
    expect(stored!.sent.map((m) => m.content.length <= 40_000)).toEqual([true, true, true]);
    expect(stored!.sent[0]!.content).toBe("s".repeat(40_000));
    expect(stored!.sent[1]!.content).toContain("characters not stored");
    expect(stored!.sent[2]!.content).toBe("\n[… 4 characters not stored …]\n");
  });

  test("a stale lease records nothing; past the cap an attempt's next exchange is refused; old exchanges are pruned", () => {
    const ref = leasedJob();
    expect(() => recordModelExchange(service, { ...ref, token: ref.token + 1 }, exchange(1))).toThrow(expect.objectContaining({ code: "lease_lost" }) as unknown as Error);
    expect(store.countModelExchanges(ref.jobId, 1)).toBe(0);

    for (let step = 1; step <= MAX_EXCHANGES_PER_ATTEMPT; step++) recordModelExchange(service, ref, exchange(step, { sent: [], reply: "r" }));
    const refused = (() => {
      try {
        recordModelExchange(service, ref, exchange(MAX_EXCHANGES_PER_ATTEMPT + 1));
      } catch (err) {
        return err;
      }
    })();
    expect(refused).toBeInstanceOf(PushpalsError);
    expect((refused as PushpalsError).message).toMatch(/already recorded 1000 model exchanges in attempt 1/);
    // A retried step is still answered (nothing new).
    expect(recordModelExchange(service, ref, exchange(7))).toEqual({ recorded: false });

    const later = leasedJob("wrk_test0002");
    now += (KEPT_DAYS + 1) * DAY;
    service.heartbeat(later);
    recordModelExchange(service, later, exchange(1));
    expect(store.countModelExchanges(ref.jobId, 1)).toBe(0);
    expect(store.countModelExchanges(later.jobId, 1)).toBe(1);
  });

  test("an unknown job's transcript is not_found", () => {
    expect(() => modelExchangePage(store, "job_0000000000", 0, 10)).toThrow(/does not exist/);
  });
});

test("cutText keeps a surrogate pair whole at both ends", () => {
  const text = `${"😀".repeat(10)}`;
  const cut = cutText(text, 5);
  expect(cut).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  expect(boundExchange(exchange(1, { reply: text }), 5).reply).toBe(cut);
});

test("boundExchangeWithin: the largest bound whose JSON fits, control characters (6 bytes each as JSON) included", () => {
  const small = exchange(1);
  expect(boundExchangeWithin(small, 65_536)).toEqual(small);
  const huge = exchange(1, { reply: "\u0001".repeat(300_000), sent: [{ role: "user", content: "é".repeat(300_000) }] });
  // 1 MiB holds the stored bound itself; below it, each halving of the limit halves the bound.
  expect(boundExchangeWithin(huge, 1_048_576)).toEqual(boundExchange(huge));
  for (const limit of [262_144, 65_536, 16_384]) {
    const bound = boundExchangeWithin(huge, limit);
    expect(Buffer.byteLength(JSON.stringify(bound))).toBeLessThanOrEqual(limit);
    expect(Buffer.byteLength(JSON.stringify(boundExchangeWithin(huge, limit * 2)))).toBeGreaterThan(Buffer.byteLength(JSON.stringify(bound)));
  }
});
