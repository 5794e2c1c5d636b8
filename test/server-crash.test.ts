import { afterEach, expect, test } from "bun:test";
import { routes } from "../src/api/routes.ts";
import { readSse } from "../src/client/sse-reader.ts";
import type { PushpalsEvent } from "../src/events/registry.ts";
import { isTerminal } from "../src/jobs/states.ts";
import type { Job } from "../src/store/jobs/job-rows.ts";
import { readServerInfo } from "../src/runtime-dir/server-file.ts";
import { Cluster } from "./helpers/cluster.ts";

let cluster: Cluster | null = null;

afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

/** An SSE client that reconnects with Last-Event-ID after the server dies, and records every event it gets. */
function resumingClient(c: Cluster) {
  const received: number[] = [];
  let lastId: string | null = null;
  let stopped = false;
  const controller = new AbortController();
  const done = (async () => {
    while (!stopped) {
      try {
        const info = readServerInfo(c.paths.serverFile);
        if (!info) throw new Error("no server");
        const res: Response = await fetch(`${info.url}/events${lastId === null ? "?after=0" : ""}`, {
          headers: lastId === null ? {} : { "last-event-id": lastId },
          signal: controller.signal,
        });
        for await (const message of readSse(res.body!)) {
          const event = JSON.parse(message.data) as PushpalsEvent;
          received.push(event.seq);
          lastId = message.id;
        }
      } catch {
        if (stopped) return;
        await Bun.sleep(50);
      }
    }
  })();
  return {
    received,
    async stop() {
      stopped = true;
      controller.abort();
      await done;
    },
  };
}

test("kill -9 the server with jobs queued and running: nothing is lost, SSE resumes exactly once, the audit chain holds", async () => {
  cluster = await Cluster.create();
  const first = await cluster.startServer(["--lease-ms", "1000"]);
  const sse = resumingClient(cluster);
  await cluster.startWorker("w1");
  await cluster.startWorker("w2");
  const jobs: Job[] = [];
  for (let i = 0; i < 30; i++) jobs.push(await cluster.enqueue("noop", { sleepMs: 100, logLines: 3 }));
  // Crash once some jobs are done and some are in flight.
  while ((await cluster.job(jobs[5]!.id)).job.state !== "succeeded") await Bun.sleep(20);
  first.proc.kill("SIGKILL");
  await first.proc.exited;
  await cluster.startServer(["--lease-ms", "1000"]);

  for (const job of jobs) await cluster.waitForJob(job.id, (j) => isTerminal(j.state), 30_000);
  for (const job of jobs) {
    const { job: final, transitions } = await cluster.job(job.id);
    expect(final.state).toBe("succeeded");
    expect(transitions.filter((t) => t.to === "succeeded")).toHaveLength(1);
  }

  const health = await cluster.client.call(routes.health);
  while (sse.received.at(-1) !== health.lastEventSeq) await Bun.sleep(20);
  await sse.stop();
  const expected = Array.from({ length: health.lastEventSeq }, (_, i) => i + 1);
  expect(sse.received).toEqual(expected);

  const verify = cluster.cli(["audit", "verify", "--json"]);
  expect(verify.exitCode).toBe(0);
  expect(JSON.parse(verify.stdout).ok).toBe(true);
}, 60_000);

test("two servers started at the same moment on one repository: exactly one runs, the other says so", async () => {
  cluster = await Cluster.create();
  const { spawnPushpals } = await import("./helpers/cluster.ts");
  const a = spawnPushpals(["serve"], cluster.root);
  const b = spawnPushpals(["serve"], cluster.root);
  cluster.procs.push(a, b);
  const outcome = async (p: typeof a) => {
    const result = await Promise.race([p.waitForOutput(/listening on/).then(() => "running"), p.proc.exited.then((code) => `exited ${code}`)]);
    return result;
  };
  const results = (await Promise.all([outcome(a), outcome(b)])).sort();
  expect(results).toEqual(["exited 5", "running"]);
  const loser = a.proc.exitCode === 5 ? a : b;
  expect(loser.output()).toMatch(/already running for this repository/);
}, 30_000);
