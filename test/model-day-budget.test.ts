import { afterAll, beforeAll, expect, test } from "bun:test";
import { runServerJob } from "./helpers/server-job.ts";
import { startModelJobCluster, type ModelJobCluster } from "./helpers/model-job-cluster.ts";

/**
 * The day's model budget is one budget for every job (#19): usage another job records while this one runs
 * counts before this one's next call, so two jobs running at once cannot each spend the whole day's budget.
 * The model is a scripted OpenAI-compatible server on 127.0.0.1; a real WorkerPal runs the loop.
 */

const KEY = "test-day-budget-key-0123456789";
const step = (n: number, delayMs = 0) => ({ reply: `\`\`\`bash\necho ${n} > f${n}.txt\n\`\`\``, usage: { inputTokens: 90, outputTokens: 10 }, delayMs });

let c: ModelJobCluster;

beforeAll(async () => {
  const config = (url: string) =>
    ["[models]", 'provider = "openai-compatible"', `base_url = "${url}"`, 'model = "scripted"', 'api_key_env = "TEST_MODEL_KEY"', "", "[models.budget]", "day_tokens = 1000", "job_steps = 20", ""].join("\n");
  // The second reply waits while the test records another job's usage.
  c = await startModelJobCluster([step(1), step(2, 400), step(3), step(4), step(5)], { config, files: { "lib.js": "1\n" }, key: KEY, worker: "agent" });
}, 60_000);

afterAll(async () => {
  await c?.stop();
});

test("another job's usage recorded mid-run counts against the day's budget before this job's next call", async () => {
  const running = runServerJob(c.server, "agent-run", { title: "day", task: "write files", scope: ["**"], risk: "low", baseBranch: "main", baseCommit: c.base, mode: "task" });
  while (c.model.completions().length < 2) await Bun.sleep(20);
  // Another job spends 800 tokens of the day while this one waits on its second reply (it has used 100).
  c.server.store.insertModelExchange({ jobId: "job_other00000", attempt: 1, step: 1, model: "scripted", sent: "[]", reply: "", inputTokens: 700, outputTokens: 100, costUsd: 0, durationMs: 1, action: "{}", recordedAt: Date.now() });
  const job = await running;
  expect(job.failure).toMatchObject({ class: "budget_exceeded", message: expect.stringMatching(/^the day's token budget is used up: 1,000 tokens used today of 1,000 tokens/) });
  // Without seeing the other job it would have gone on to a third call (300 of its own, 1,100 in the day).
  expect(c.model.completions()).toHaveLength(2);
}, 60_000);
