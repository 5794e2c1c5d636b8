import { expect, test } from "bun:test";
import type { ApiClient } from "../../client/api-client.ts";
import { DEFAULT_CONFIG, type PushpalsConfig } from "../../config/schema.ts";
import { issueScanSchedule } from "./issue-scan.ts";

function fixture(over: { provider?: "local" | "github"; labels?: string[]; every?: number; fail?: boolean } = {}) {
  const config: PushpalsConfig = structuredClone(DEFAULT_CONFIG);
  config.pr.provider = over.provider ?? "github";
  config.github.issue_labels = over.labels ?? ["bug"];
  config.remote_agent.scan_issues_every_seconds = over.every ?? 300;
  let clock = 1_000_000;
  const bodies: unknown[] = [];
  const lines: string[] = [];
  let fail = over.fail ?? false;
  const client = {
    call: async (_route: unknown, args: { body: unknown }) => {
      if (fail) throw new Error("server unreachable");
      bodies.push(args.body);
      return { job: { id: `job_${bodies.length}` }, deduped: bodies.length > 2 };
    },
  } as unknown as ApiClient;
  const schedule = issueScanSchedule({ client, config: () => config, say: (l) => void lines.push(l), now: () => clock });
  return { schedule, bodies, lines, config, tick: (ms: number) => void (clock += ms), heal: () => void (fail = false) };
}

test("scans at start, then once per period however often the loop turns", async () => {
  const f = fixture();
  await f.schedule.once();
  expect(f.bodies).toEqual([{ kind: "issues-scan", input: {}, maxAttempts: DEFAULT_CONFIG.jobs.max_attempts }]);
  expect(f.lines).toEqual(['scanning the GitHub issues labelled "bug": job job_1']);
  for (let i = 0; i < 10; i++) {
    f.tick(29_000);
    await f.schedule.once();
  }
  expect(f.bodies).toHaveLength(1);
  f.tick(10_000);
  await f.schedule.once();
  expect(f.bodies).toHaveLength(2);
  f.tick(300_000);
  await f.schedule.once();
  expect(f.bodies).toHaveLength(3);
  // The server answered with the scan still running: nothing new to say.
  expect(f.lines).toHaveLength(2);
});

test("never with the local provider, an empty label list or a period of 0", async () => {
  for (const over of [{ provider: "local" as const }, { labels: [] }, { every: 0 }]) {
    const f = fixture(over);
    await f.schedule.once();
    f.tick(10_000_000);
    await f.schedule.once();
    expect(f.bodies).toEqual([]);
  }
});

test("a failed enqueue is tried again after 30 s, not on every turn nor only a period later", async () => {
  const f = fixture({ fail: true });
  await expect(f.schedule.once()).rejects.toThrow("server unreachable");
  f.tick(10_000);
  await f.schedule.once();
  f.heal();
  f.tick(10_000);
  await f.schedule.once();
  expect(f.bodies).toEqual([]);
  f.tick(10_000);
  await f.schedule.once();
  expect(f.bodies).toHaveLength(1);
});
