import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { socketClient, startTestApp } from "../../test/helpers/app.ts";
import { routes } from "../api/routes.ts";
import { DEFAULT_CONFIG } from "../config/schema.ts";
import { defineKind, type KindDefinition } from "../kinds/common/define-kind.ts";
import { noopKind } from "../kinds/noop/index.ts";
import { runtimePathsFor } from "../runtime-dir/paths.ts";
import type { RunningApp } from "../server/app.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import type { TestRunReport } from "../test-history/test-run-report.ts";
import { WorkerRuntime } from "./worker-runtime.ts";

const MAX_BODY = 65_536;

let dir: ReturnType<typeof tempDir>;
let store: SqliteStore;
let app: RunningApp;

beforeAll(async () => {
  dir = tempDir();
  store = new SqliteStore(join(dir.path, "db.sqlite"));
  app = await startTestApp(store, dir.path, { maxBodyBytes: MAX_BODY });
});

afterAll(async () => {
  await app.stop();
  store.close();
  dir.cleanup();
});

function report(run: string, failing: (i: number) => boolean): TestRunReport {
  const outcomes = Array.from({ length: 5000 }, (_, i) => ({
    id: `src/suite-${Math.floor(i / 100)}.test.ts > group > case number ${i}`,
    status: failing(i) ? ("failed" as const) : ("passed" as const),
    durationMs: i,
    message: failing(i) ? `expected true, got false (${i})` : null,
  }));
  return { commit: "d".repeat(40), check: "test", run, tests: { format: "junit", totals: { passed: 5000, failed: 0, skipped: 0, errored: 0 }, truncated: false, outcomes, omitted: 0, quarantined: failing(7) ? [outcomes[7]!.id] : [] } };
}

test("ctx.recordTests sends a 5000-test run in parts within the body limit; every test is recorded once, and GET /flaky reads them", async () => {
  const person = socketClient(app, null);
  const { job } = await person.call(routes.enqueueJob, { body: { kind: "noop", input: {} } });
  const reports = [report("test#triage-1", (i) => i === 7), report("test#triage-2", () => false), report("test#triage-1", (i) => i === 7)];
  // The noop kind, its handler recording the reports; the third is the first again (a retried call): nothing is recorded twice.
  const recording = defineKind({
    ...noopKind,
    handler: async (_input, ctx) => {
      for (const r of reports) await ctx.recordTests(r);
      return { ok: true as const };
    },
  });
  const runtime = new WorkerRuntime({
    id: "wrk_records0001",
    name: "records",
    client: socketClient(app, { role: "worker", name: "worker-1" }),
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
  expect(JSON.stringify(reports[0]).length).toBeGreaterThan(MAX_BODY * 4);
  expect(store.db.query("SELECT COUNT(*) AS n FROM test_runs").get()).toEqual({ n: 10_000 });
  const flaky = await person.call(routes.flakyTests, { query: {} });
  expect(flaky.tests.map((t) => [t.id, t.runs, t.failures, t.flakyCommits, t.quarantined, t.consecutivePasses])).toEqual([["src/suite-0.test.ts > group > case number 7", 2, 1, 1, false, 1]]);
  expect(flaky.tests[0]!.commits).toEqual([{ commit: "d".repeat(40), branch: null, passes: 1, failures: 1, verdict: "flaky", lastFailureAt: expect.any(Number) }]);
}, 30_000);
