import { afterAll, beforeAll, expect, test } from "bun:test";
import { routes } from "../src/api/routes.ts";
import type { PullRequest } from "../src/prs/pr-types.ts";
import { Cluster } from "./helpers/cluster.ts";
import { startScriptedModel, type ScriptedModel } from "./helpers/scripted-model.ts";

/**
 * The built-in agent loop end to end (#19): a directive, with a model configured, is dispatched to the
 * Agent; the model (a scripted OpenAI-compatible server on 127.0.0.1, the only fake here) reproduces the
 * bug with a failing test, fixes it, and submits; the change goes through the scoped commit, the checks,
 * the review and the PR like any other. The key is in the worker's environment only: no command the model
 * runs sees it. A loop and a budget each end the job with their own class and stop the item.
 */

const KEY = "sk-test-0123456789abcdefSECRET";
const LIB = "exports.add = (a, b) => a - b;\n";
const TEST = `const test = require("node:test");\nconst assert = require("node:assert");\nconst { add } = require("../lib.js");\ntest("adds", () => assert.equal(add(2, 2), 4));\n`;
const reply = (command: string) => ({ reply: `Next step.\n\`\`\`bash\n${command}\n\`\`\``, usage: { inputTokens: 100, outputTokens: 20 } });

// The three scenarios' turns, in the order their jobs ask.
const SCRIPT = [
  reply(`mkdir -p test && cat > test/add.test.js <<'EOF'\n${TEST}EOF\nnode --test test/`),
  reply(`env | grep -c TEST_MODEL_KEY; ls ~ 2>&1 | head -3; echo probed`),
  reply(`sed -i 's/a - b/a + b/' lib.js && node --test test/`),
  reply("SUBMIT"),
  // The loop: the same command three times, nothing changing.
  reply("ls"),
  reply("ls"),
  reply("ls"),
  // The budget: six steps allowed, each a different command.
  ...[1, 2, 3, 4, 5, 6, 7].map((n) => reply(`echo step ${n} > note-${n}.txt`)),
];

let model: ScriptedModel;
let c: Cluster;

beforeAll(async () => {
  model = await startScriptedModel(SCRIPT);
  const config = `[repo]
base_branch = "main"

[remote_agent]
check_base = false

[[checks.commands]]
name = "test"
run = "node --test test/"

[models]
provider = "openai-compatible"
base_url = "${model.url}"
model = "scripted"
api_key_env = "TEST_MODEL_KEY"

[models.budget]
job_steps = 6
loop_repeats = 3
`;
  c = await Cluster.create({ configToml: config, files: { "lib.js": LIB, "test/.keep": "" }, env: { TEST_MODEL_KEY: KEY } });
  await c.startServer();
  await c.startWorker("w1");
  await c.startAgents();
  await c.startRemoteAgent();
}, 60_000);

afterAll(async () => {
  await c?.stop();
  model?.stop();
});

async function itemOf(title: string, until: (i: { state: string; detail: Record<string, unknown> }) => boolean) {
  for (;;) {
    const { items } = await c.client.call(routes.listWorkItems, { query: { all: "1" } });
    const item = items.find((i) => i.title === title);
    if (item && until(item)) return item;
    await Bun.sleep(50);
  }
}

function ask(goal: string, scope: string[]) {
  const r = c.cli(["ask", goal, ...scope.flatMap((s) => ["--scope", s])]);
  expect(r.exitCode, r.stderr).toBe(0);
}

test("a directive with a model configured: reproduced by a failing test, fixed, checked and proposed; the key never reaches the sandbox", async () => {
  ask("make add add", ["lib.js", "test/**"]);
  const item = await itemOf("make add add", (i) => typeof i.detail.pr === "number");
  expect(item.detail.specialist).toBe("agent");
  const pr = (await c.client.call(routes.getPr, { params: { number: item.detail.pr as number } })).pr as PullRequest;
  expect(pr.checks).toMatchObject({ state: "passed", sha: pr.headSha });
  expect(pr.files.map((f) => f.path).sort()).toEqual(["lib.js", "test/add.test.js"]);
  expect(pr.body).toContain("Made by the agent loop with openai-compatible/scripted: 480 tokens");

  // The model got the failing run, then the passing one, as observations.
  const sent = model.requests.filter((r) => r.format === "openai");
  expect(sent).toHaveLength(4);
  expect(sent[1]!.messages.at(-1)!.content).toMatch(/<returncode>1<\/returncode>[\s\S]*fail 1/);
  expect(sent[3]!.messages.at(-1)!.content).toMatch(/<returncode>0<\/returncode>[\s\S]*pass 1/);
  // The key went to the model server in the Authorization header, and nowhere else: the sandbox had none of it.
  for (const r of sent) expect(r.headers.authorization).toBe(`Bearer ${KEY}`);
  expect(sent[2]!.messages.at(-1)!.content).toMatch(/<output>\n0\n[\s\S]*probed/);
  for (const r of sent) expect(r.messages.map((m) => m.content).join("\n")).not.toContain(KEY);

  const transcript = c.cli(["logs", String(item.detail.job), "--model"]);
  expect(transcript.exitCode, transcript.stderr).toBe(0);
  expect(transcript.stdout).toContain("SUBMIT");
  expect(transcript.stdout).not.toContain(KEY);

  // Through the same gates as any change: it merges, and the Agent is free for the next directive.
  const merged = c.cli(["pr", "merge", String(pr.number)]);
  expect(merged.exitCode, merged.stdout + merged.stderr).toBe(0);
  await itemOf("make add add", (i) => i.state === "done");
}, 90_000);

test("the same command again and again is a loop: the job ends loop_detected and the item asks", async () => {
  ask("look around", ["notes/**"]);
  const item = await itemOf("look around", (i) => i.state === "blocked");
  expect(item).toMatchObject({ escalation: "stopped", detail: { lastFailure: { class: "loop_detected" } } });
  expect((item as { question: string }).question).toContain("raise the budget");
}, 60_000);

test("past the job's step budget the job ends budget_exceeded, naming the budget and the key to raise", async () => {
  ask("write notes", ["note-*.txt"]);
  const item = await itemOf("write notes", (i) => i.state === "blocked");
  expect(item.detail.lastFailure).toMatchObject({ class: "budget_exceeded", message: expect.stringContaining("models.budget.job_steps") });
}, 60_000);
