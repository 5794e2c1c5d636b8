import { afterAll, beforeAll, expect, test } from "bun:test";
import { auditPages } from "../src/audit/audit-log.ts";
import { pullRequests } from "../src/prs/pr-store.ts";
import type { Job } from "../src/store/jobs/job-rows.ts";
import { runServerJob } from "./helpers/server-job.ts";
import { startModelJobCluster, type ModelJobCluster } from "./helpers/model-job-cluster.ts";

/**
 * The Refactorer's and the Performance Tuner's definitions of done, enforced in code (#19), end to end: an
 * `agent-run` in `refactor` mode opens its PR only when no test changed, the checks pass and the measured
 * payoff is real; in `performance` mode, only when the committed benchmark is faster beyond noise, measured
 * before and after in the job. The model is a scripted OpenAI-compatible server on 127.0.0.1 (the only fake);
 * a real WorkerPal (sandboxed commands), ReviewAgent and SourceControlManager carry the jobs out.
 */

const KEY = "test-model-specialists-key-0123456789";
const BLOCK = ["  const parsed = JSON.parse(text);", '  if (!parsed.name) throw new Error("no name");', "  const name = parsed.name.trim();", "  return name.toLowerCase();"].join("\n");
const LIB = `function parseName(text) {\n${BLOCK}\n}\nfunction parseOwner(text) {\n${BLOCK}\n}\nfunction spin(ms) {\n  const end = Date.now() + ms;\n  while (Date.now() < end) {}\n}\nconst WORK_MS = 400;\nmodule.exports = { parseName, parseOwner, spin, WORK_MS };\n`;
const DEDUPED = `function parseName(text) {\n${BLOCK}\n}\nconst parseOwner = parseName;\nfunction spin(ms) {\n  const end = Date.now() + ms;\n  while (Date.now() < end) {}\n}\nconst WORK_MS = 400;\nmodule.exports = { parseName, parseOwner, spin, WORK_MS };\n`;
const TEST = `const test = require("node:test");\nconst assert = require("node:assert");\nconst lib = require("../lib.js");\ntest("names", () => {\n  assert.equal(lib.parseName('{"name":" Ada "}'), "ada");\n  assert.equal(lib.parseOwner('{"name":"Bo"}'), "bo");\n});\n`;
const BENCH = 'const lib = require("../lib.js");\nlib.spin(lib.WORK_MS);\n';
const reply = (command: string) => ({ reply: `\`\`\`bash\n${command}\n\`\`\``, usage: { inputTokens: 40, outputTokens: 10 } });

const SCRIPT = [
  // refactor 1: touches a test.
  reply('sed -i "s/names/parses names/" test/lib.test.js'),
  reply("SUBMIT"),
  // refactor 2: no payoff (a comment changes nothing measured).
  reply('echo "// tidy" >> lib.js'),
  reply("SUBMIT"),
  // refactor 3: the duplicated body goes.
  reply(`cat > lib.js <<'EOF'\n${DEDUPED}EOF`),
  reply("SUBMIT"),
  // performance 0: makes the benchmark itself do less.
  reply('sed -i "s/lib.WORK_MS/1/" bench/spin.js'),
  reply("SUBMIT"),
  // performance 1: not faster.
  reply('sed -i "1i // faster now" lib.js'),
  reply("SUBMIT"),
  // performance 2: faster.
  reply('sed -i "s/WORK_MS = 400/WORK_MS = 20/" lib.js'),
  reply("SUBMIT"),
];

let c: ModelJobCluster;

beforeAll(async () => {
  const config = (url: string) =>
    [
      "[[checks.commands]]",
      'name = "test"',
      'run = "node --test test/"',
      "",
      "[benchmarks]",
      "runs = 3",
      "min_improvement = 0.2",
      "[[benchmarks.commands]]",
      'name = "spin"',
      'run = "node bench/spin.js"',
      "",
      "[models]",
      'provider = "openai-compatible"',
      `base_url = "${url}"`,
      'model = "scripted"',
      'api_key_env = "TEST_MODEL_KEY"',
      "",
    ].join("\n");
  c = await startModelJobCluster(SCRIPT, { config, files: { "lib.js": LIB, "test/lib.test.js": TEST, "bench/spin.js": BENCH }, key: KEY, worker: "tuner" });
}, 60_000);

afterAll(async () => {
  await c?.stop();
});

function agentRun(mode: "refactor" | "performance", risk = "low"): Promise<Job> {
  const input = { title: `${mode} lib`, task: `make lib.js better (${mode})`, scope: ["**"], risk, baseBranch: "main", baseCommit: c.base, mode };
  return runServerJob(c.server, "agent-run", input);
}

const prOf = (job: Job) => pullRequests(c.server.store).getPullRequestByJob(job.id);

test("a refactor that changes a test shows nothing by its green checks: refused, no PR", async () => {
  const job = await agentRun("refactor");
  expect(job.failure).toMatchObject({ class: "policy_denied", message: expect.stringContaining("may not change them, and it changes test/lib.test.js") });
  expect(prOf(job)).toBeNull();
}, 60_000);

test("a refactor with no measurable payoff opens no PR, and says what was measured", async () => {
  const job = await agentRun("refactor");
  expect(job.failure).toMatchObject({ class: "no_change", message: expect.stringContaining("no measurable payoff (lines 18 → 18 (0), complexity 3 → 3 (0), duplicated lines 5 → 5 (0))") });
  expect(prOf(job)).toBeNull();
}, 60_000);

test("a refactor removing the duplicated body opens its PR with the measured payoff", async () => {
  const job = await agentRun("refactor");
  expect(job.failure ?? null).toBeNull();
  const pr = prOf(job)!;
  expect(pr.checks).toMatchObject({ state: "passed", sha: pr.headSha });
  expect(pr.body).toContain("Refactor, behaviour-preserving: no test changed, every configured check passes on the exact commit. Measured payoff over the 1 changed file(s): lines 18 → 13 (-5), complexity 3 → 2 (-1), duplicated lines 5 → 0 (-5).");
}, 60_000);

test("attack: a performance change that edits its own benchmark is refused before anything is measured", async () => {
  const job = await agentRun("performance", "medium");
  expect(job.failure).toMatchObject({ class: "policy_denied", message: "a performance change may change only the code it measures, never what measures it, and it changes bench/spin.js (a benchmark file)" });
  expect(prOf(job)).toBeNull();
}, 60_000);

test("the Performance Tuner refuses a change without improvement: both measured in the job, no PR", async () => {
  const job = await agentRun("performance", "medium");
  expect(job.failure).toMatchObject({ class: "no_change", message: expect.stringMatching(/^no benchmark improved beyond noise .*`spin`: \d+ ms → \d+ ms \(median of 3\)/) });
  expect(prOf(job)).toBeNull();
  // Three runs of each side, in this job.
  const ran = [...auditPages(c.server.store)].flat().filter((e) => e.action === "command.ran" && e.subject === job.id && (e.data as { command?: string }).command === "node bench/spin.js");
  expect(ran).toHaveLength(6);
}, 90_000);

test("a change faster beyond noise opens its PR with the before and after figures and the ratio", async () => {
  const job = await agentRun("performance", "medium");
  expect(job.failure ?? null).toBeNull();
  const pr = prOf(job)!;
  expect(pr.body).toMatch(/Benchmarked before and after on the same machine in one job \(runs in turns, base then change, 3 each\):\n- `spin`: \d+ ms → \d+ ms \(median of 3\), [0-9.]+× better, no run overlaps: improved/);
  const ratio = Number(pr.body.match(/([0-9.]+)× better/)![1]);
  expect(ratio).toBeGreaterThan(2);
}, 90_000);
