import { afterEach, expect, test } from "bun:test";
import { routes } from "../src/api/routes.ts";
import { SqliteStore } from "../src/store/sqlite-store.ts";
import { Cluster } from "./helpers/cluster.ts";

let cluster: Cluster | null = null;

afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

test("8 worker processes racing for 500 jobs: no job is leased twice, every job succeeds once", async () => {
  cluster = await Cluster.create();
  await cluster.startServer();
  const c = cluster;
  await Promise.all(Array.from({ length: 8 }, (_, i) => c.startWorker(`racer-${i}`, ["--quiet"])));
  const ids: string[] = [];
  for (let batch = 0; batch < 10; batch++) {
    const jobs = await Promise.all(Array.from({ length: 50 }, () => c.enqueue("noop", {})));
    ids.push(...jobs.map((j) => j.id));
  }
  expect(new Set(ids).size).toBe(500);
  for (;;) {
    const data = await c.client.call(routes.status);
    if ((data.counts.succeeded ?? 0) + (data.counts.failed ?? 0) + (data.counts.cancelled ?? 0) >= 500) break;
    await Bun.sleep(50);
  }

  const store = new SqliteStore(c.paths.dbPath, { readonly: true });
  try {
    const rows = (sql: string) => store.db.query(sql).all() as Record<string, unknown>[];
    expect(rows("SELECT state, count(*) AS n FROM jobs GROUP BY state")).toEqual([{ state: "succeeded", n: 500 }]);
    expect(rows("SELECT job_id FROM job_transitions WHERE to_state = 'running' GROUP BY job_id HAVING count(*) > 1")).toEqual([]);
    expect(rows("SELECT job_id FROM job_transitions WHERE to_state = 'succeeded' GROUP BY job_id HAVING count(*) > 1")).toEqual([]);
    expect(rows("SELECT count(*) AS n FROM job_transitions WHERE to_state = 'succeeded'")).toEqual([{ n: 500 }]);
    // Each success was reported by the worker that held the claim.
    const mismatched = rows(`
      SELECT s.job_id FROM job_transitions s JOIN job_transitions r ON r.job_id = s.job_id AND r.to_state = 'running'
      WHERE s.to_state = 'succeeded' AND s.actor <> r.actor`);
    expect(mismatched).toEqual([]);
    const workersUsed = rows("SELECT count(DISTINCT actor) AS n FROM job_transitions WHERE to_state = 'running'")[0]!.n as number;
    expect(workersUsed).toBeGreaterThan(1);
  } finally {
    store.close();
  }
}, 90_000);
