/**
 * Issue #19: a real directive end to end with a real model, when one is configured; skipped otherwise.
 * On a temp copy of the bundled example, `[models]` is set from the environment, `pushpals start --detach`,
 * one directive is asked, and the time to its PR, the steps, tokens and cost are printed.
 * Run: PUSHPALS_BENCH_MODEL_PROVIDER=openai-compatible PUSHPALS_BENCH_MODEL_URL=http://127.0.0.1:11434/v1 \
 *      PUSHPALS_BENCH_MODEL=qwen2.5-coder:7b [PUSHPALS_BENCH_MODEL_KEY_ENV=OPENAI_API_KEY] bun bench/model-smoke.ts
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { routes } from "../src/api/routes.ts";
import { ApiClient } from "../src/client/api-client.ts";
import type { WorkItem } from "../src/planning/work-item.ts";
import { runtimePathsFor } from "../src/runtime-dir/paths.ts";
import { exampleRepo } from "./bench-util.ts";

const provider = process.env.PUSHPALS_BENCH_MODEL_PROVIDER;
const url = process.env.PUSHPALS_BENCH_MODEL_URL;
const model = process.env.PUSHPALS_BENCH_MODEL;
const keyEnv = process.env.PUSHPALS_BENCH_MODEL_KEY_ENV;
const GOAL = "add a one-line comment at the top of the main source file saying what it does";
const TIMEOUT_MS = 15 * 60_000;

if (!provider || !model) {
  console.log("model-smoke: skipped: no model endpoint configured (set PUSHPALS_BENCH_MODEL_PROVIDER, PUSHPALS_BENCH_MODEL and, for openai-compatible, PUSHPALS_BENCH_MODEL_URL)");
  process.exit(0);
}

const { repo, pushpals, dispose } = await exampleRepo("model", TIMEOUT_MS);
try {
  const lines = ["", "[models]", `provider = ${JSON.stringify(provider)}`, `model = ${JSON.stringify(model)}`, ...(url ? [`base_url = ${JSON.stringify(url)}`] : []), ...(keyEnv ? [`api_key_env = ${JSON.stringify(keyEnv)}`] : [])];
  appendFileSync(join(repo, ".pushpals/config.toml"), `${lines.join("\n")}\n`);
  Bun.spawnSync(["git", "-c", "user.name=PushPals Bench", "-c", "user.email=bench@example.invalid", "commit", "-qam", "bench: a model"], { cwd: repo });
  const started = await pushpals(["start", "--detach"]);
  if (started.code !== 0) throw new Error(`start exited ${started.code}:\n${started.output}`);
  const gitDir = Bun.spawnSync(["git", "rev-parse", "--path-format=absolute", "--git-common-dir"], { cwd: repo }).stdout.toString().trim();
  const client = new ApiClient({ serverFile: runtimePathsFor(repo, gitDir).serverFile });
  const t0 = performance.now();
  const asked = await pushpals(["ask", GOAL, "--scope", "src/**"]);
  if (asked.code !== 0) throw new Error(`ask exited ${asked.code}:\n${asked.output}`);
  let item: WorkItem | undefined;
  for (const deadline = performance.now() + TIMEOUT_MS; performance.now() < deadline; await Bun.sleep(500)) {
    item = ((await client.call(routes.listWorkItems, { query: { all: "1" } })).items as WorkItem[]).find((i) => i.source === "directive");
    if (item && (typeof item.detail.pr === "number" || item.state === "blocked")) break;
  }
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  if (!item || typeof item.detail.pr !== "number") throw new Error(`no PR: the item is ${item?.state ?? "missing"}${item?.question ? `: ${item.question}` : ""}`);
  const job = (await client.call(routes.getJob, { params: { id: String(item.detail.job) } })).job;
  const result = job.result as { steps?: number; tokens?: number; costUsd?: number; model?: string };
  console.log(`model-smoke: ${result.model}: PR #${item.detail.pr} in ${seconds} s, ${result.steps} steps, ${result.tokens} tokens, $${(result.costUsd ?? 0).toFixed(4)}`);
} finally {
  await pushpals(["stop"]);
  dispose();
}
