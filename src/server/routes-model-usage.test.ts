import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { socketClient, startTestApp } from "../../test/helpers/app.ts";
import { routes } from "../api/routes.ts";
import { ApiClient } from "../client/api-client.ts";
import { DEFAULT_CONFIG } from "../config/schema.ts";
import { PushpalsError } from "../core/errors.ts";
import { defineKind, type KindDefinition } from "../kinds/common/define-kind.ts";
import { noopKind } from "../kinds/noop/index.ts";
import type { ModelExchange } from "../models/model-types.ts";
import { utcDay } from "../models/model-usage.ts";
import { runtimePathsFor } from "../runtime-dir/paths.ts";
import { WorkerRuntime } from "../runtime/worker-runtime.ts";
import { REDACTED } from "../secrets/redact.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import type { RunningApp } from "./app.ts";

const MAX_BODY = 65_536;
const TOKEN = `sk-ant-${"q9W8e7R6".repeat(4)}`;

let dir: ReturnType<typeof tempDir>;
let store: SqliteStore;
let app: RunningApp;

beforeAll(async () => {
  dir = tempDir();
  store = new SqliteStore(join(dir.path, "db.sqlite"));
  app = await startTestApp(store, dir.path, { maxBodyBytes: MAX_BODY, modelDayBudget: { dayTokens: 3_000_000, dayCostUsd: 20 } });
});

afterAll(async () => {
  await app.stop();
  store.close();
  dir.cleanup();
});

const exchange = (step: number, over: Partial<ModelExchange> = {}): ModelExchange => ({
  step,
  model: "openai-compatible/qwen2.5-coder:7b",
  sent: [{ role: "user", content: "fix the lint error" }],
  reply: "```bash\nnpm run lint -- --fix\n```",
  usage: { inputTokens: 900, outputTokens: 100 },
  costUsd: 0.002,
  durationMs: 800,
  action: { kind: "command", command: "npm run lint -- --fix", exitCode: 0, note: null },
  ...over,
});

const errorOf = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as PushpalsError);

test("POST /jobs/:id/model-exchanges is lease-fenced and recorded once; the transcript and the day's usage are reads", async () => {
  const worker = socketClient(app, { role: "worker", name: "worker-1" });
  const person = socketClient(app, null);
  const workerId = "wrk_models0001";
  await worker.call(routes.registerWorker, { body: { id: workerId, name: "models", kinds: ["noop"], pid: null } });
  const { job } = await person.call(routes.enqueueJob, { body: { kind: "noop", input: {} } });
  const claim = (await worker.call(routes.claimJob, { params: { id: workerId }, body: { kinds: ["noop"] } }))!;
  const params = { id: job.id };
  const lease = { workerId, token: claim.token };

  expect(await worker.call(routes.recordModelExchange, { params, body: { ...lease, ...exchange(1, { reply: `the key is ${TOKEN}` }) } })).toEqual({ ok: true, recorded: true });
  expect(await worker.call(routes.recordModelExchange, { params, body: { ...lease, ...exchange(1) } })).toEqual({ ok: true, recorded: false });
  expect(await worker.call(routes.recordModelExchange, { params, body: { ...lease, ...exchange(2, { action: { kind: "submit", command: null, exitCode: null, note: null } }) } })).toEqual({ ok: true, recorded: true });
  // A stale token (an earlier claim's) is refused, and so is a component of another role.
  expect((await errorOf(worker.call(routes.recordModelExchange, { params, body: { ...lease, token: lease.token + 1, ...exchange(3) } })))?.code).toBe("lease_lost");
  expect((await errorOf(socketClient(app, { role: "scm", name: "scm" }).call(routes.recordModelExchange, { params, body: { ...lease, ...exchange(3) } })))?.code).toBe("forbidden");
  // A person is no component.
  expect((await errorOf(person.call(routes.recordModelExchange, { params, body: { ...lease, ...exchange(3) } })))?.code).toBe("forbidden");

  const page = await person.call(routes.modelExchanges, { params, query: {} });
  expect(page.exchanges.map((e) => [e.step, e.attempt, e.action.kind])).toEqual([[1, 1, "command"], [2, 1, "submit"]]);
  expect(page.exchanges[0]!.reply).toBe(`the key is ${REDACTED}`);
  expect(page.usage).toEqual({ inputTokens: 1_800, outputTokens: 200, tokens: 2_000, costUsd: 0.004, exchanges: 2 });
  expect(page.next).toBeNull();
  const onePage = await person.call(routes.modelExchanges, { params, query: { limit: 1 } });
  expect(onePage.next).toBe(onePage.exchanges[0]!.id);
  expect((await person.call(routes.modelExchanges, { params, query: { after: onePage.next!, limit: 1 } })).exchanges.map((e) => e.step)).toEqual([2]);
  expect((await errorOf(person.call(routes.modelExchanges, { params: { id: "job_0000000000" }, query: {} })))?.code).toBe("not_found");

  // Reads: the loopback TCP listener answers them too.
  const tcp = new ApiClient({ url: app.url }, { checkReplies: true });
  expect((await tcp.call(routes.modelExchanges, { params, query: { limit: 0 } })).usage.exchanges).toBe(2);
  const today = await tcp.call(routes.modelUsage, { query: {} });
  // With the day's budget of the server's config: `status` shows both without loading the config itself.
  expect(today).toMatchObject({ day: utcDay(Date.now()), tokens: 2_000, costUsd: 0.004, exchanges: 2, jobs: 1, budget: { dayTokens: 3_000_000, dayCostUsd: 20 } });
  expect(await person.call(routes.modelUsage, { query: { day: "2000-01-01" } })).toMatchObject({ day: "2000-01-01", tokens: 0, exchanges: 0, jobs: 0 });
  expect((await errorOf(person.call(routes.modelUsage, { query: { day: "2026-02-30" } })))?.code).toBe("invalid_input");
});

test("ctx.recordModelExchange cuts a large exchange to fit the body limit; ctx.modelUsageToday reads the day", async () => {
  const person = socketClient(app, null);
  const { job } = await person.call(routes.enqueueJob, { body: { kind: "noop", input: {} } });
  const seen: { tokens: number; costUsd: number }[] = [];
  const recording = defineKind({
    ...noopKind,
    handler: async (_input, ctx) => {
      seen.push(await ctx.modelUsageToday());
      // Control characters are 6 bytes each as JSON: the worst case for the body.
      await ctx.recordModelExchange(exchange(1, { reply: "\u0001".repeat(200_000), sent: [{ role: "user", content: `${TOKEN} ${"\u0002".repeat(200_000)}` }] }));
      await ctx.recordModelExchange(exchange(1));
      seen.push(await ctx.modelUsageToday());
      return { ok: true as const };
    },
  });
  const runtime = new WorkerRuntime({
    id: "wrk_models0002",
    name: "models",
    client: socketClient(app, { role: "worker", name: "worker-2" }),
    paths: runtimePathsFor(dir.path, join(dir.path, ".git")),
    config: { ...DEFAULT_CONFIG, server: { ...DEFAULT_CONFIG.server, max_body_bytes: MAX_BODY } },
    claimWaitMs: 100,
    kinds: [recording as unknown as KindDefinition],
  });
  const running = runtime.run();
  try {
    for (let i = 0; i < 200; i++) {
      const { job: now } = await person.call(routes.getJob, { params: { id: job.id } });
      if (now.state === "succeeded" || now.state === "failed") break;
      await Bun.sleep(25);
    }
  } finally {
    runtime.stop();
    await running;
  }
  expect((await person.call(routes.getJob, { params: { id: job.id } })).job.state).toBe("succeeded");
  const [stored] = (await person.call(routes.modelExchanges, { params: { id: job.id }, query: {} })).exchanges;
  // Cut to fit (halved from 64 Ki characters until the body fits), head and tail kept.
  expect(stored!.reply.length).toBeLessThan(MAX_BODY / 8);
  expect(stored!.reply).toMatch(/^\u0001+\n\[… \d+ characters not stored …\]\n\u0001+$/);
  expect(stored!.sent[0]!.content).toStartWith(`${REDACTED} `);
  expect(seen[1]!.tokens - seen[0]!.tokens).toBe(1_000);
  expect(seen[1]!.costUsd - seen[0]!.costUsd).toBeCloseTo(0.002, 9);
}, 30_000);
