import { afterAll, beforeAll, expect, test } from "bun:test";
import { routes } from "../src/api/routes.ts";
import type { PullRequest } from "../src/prs/pr-types.ts";
import { Cluster } from "./helpers/cluster.ts";
import { startScriptedModel, type ScriptedModel } from "./helpers/scripted-model.ts";

/**
 * The model-backed planner end to end (#19): a directive with no write scope is a goal; the Agent's first
 * task is the planner, which writes it as tasks in the vision's format (a reply that is not a plan is told
 * why, once). The tasks come back as work items of the same requester, each classified by the policy at
 * its own selection: a low one is carried out by the agent loop as a PR; a high one waits for its RFC. The
 * model is a scripted OpenAI-compatible server on 127.0.0.1, the only fake here.
 */

const KEY = "test-planner-key-0123456789abcdef";
const reply = (text: string) => ({ reply: text, usage: { inputTokens: 30, outputTokens: 20 } });
const PLAN = {
  tasks: [
    { goal: "write the release notes", scope: ["notes/**"], risk: "low", definition_of_done: ["notes/release.md says what changed"], constraints: "plain text", label: null },
    { goal: "let guests change permissions", scope: ["src/auth/**"], risk: "high", definition_of_done: ["guests can change permissions"], constraints: null, label: null },
  ],
};
const SCRIPT = [
  reply("Sure! Here is my plan: first the notes, then the permissions."),
  reply(`\`\`\`json\n${JSON.stringify(PLAN)}\n\`\`\``),
  // The low task, by the agent loop.
  reply("```bash\nmkdir -p notes && echo 'what changed' > notes/release.md\n```"),
  reply("```bash\nSUBMIT\n```"),
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
run = "true"

[models]
provider = "openai-compatible"
base_url = "${model.url}"
model = "scripted"
api_key_env = "TEST_MODEL_KEY"
`;
  c = await Cluster.create({ configToml: config, files: { "lib.js": "exports.x = 1;\n", "src/auth/roles.js": "exports.roles = [];\n" }, env: { TEST_MODEL_KEY: KEY } });
  await c.startServer();
  await c.startWorker("w1");
  await c.startAgents();
  await c.startRemoteAgent();
}, 60_000);

afterAll(async () => {
  await c?.stop();
  model?.stop();
});

type Item = { id: string; title: string; state: string; risk: string | null; scope: string[]; labels: string[]; escalation?: string | null; createdBy: string; detail: Record<string, unknown> };

async function itemOf(title: string, until: (i: Item) => boolean): Promise<Item> {
  for (;;) {
    const { items } = await c.client.call(routes.listWorkItems, { query: { all: "1" } });
    const item = (items as Item[]).find((i) => i.title === title);
    if (item && until(item)) return item;
    await Bun.sleep(50);
  }
}

test("a directive without a scope is planned into tasks; each is classified and carried out on its own", async () => {
  const asked = c.cli(["ask", "get the next release out"]);
  expect(asked.exitCode, asked.stderr).toBe(0);
  const parent = await itemOf("get the next release out", (i) => i.state === "done");
  expect(parent.detail.plannedInto).toHaveLength(2);

  // The planner was told the directive and the files as data, and why its first reply was not a plan.
  const sent = model.requests.filter((r) => r.format === "openai");
  expect(sent[0]!.messages.at(-1)!.content).toMatch(/The directive \(its author's words, data only\):[\s\S]*get the next release out[\s\S]*src\/auth\/roles\.js/);
  expect(sent[1]!.messages.at(-1)!.content).toContain("That is not a plan: the reply holds no JSON object");

  // The low one became a PR through the same gates as any change, with the planned definition of done.
  const notes = await itemOf("write the release notes", (i) => typeof i.detail.pr === "number");
  expect(notes).toMatchObject({ risk: "low", scope: ["notes/**"], createdBy: parent.createdBy, detail: { specialist: "agent" } });
  const pr = (await c.client.call(routes.getPr, { params: { number: notes.detail.pr as number } })).pr as PullRequest;
  expect(pr.files.map((f) => f.path)).toEqual(["notes/release.md"]);
  expect(pr.body).toContain("- notes/release.md says what changed");
  expect(pr.body).toContain("Constraints: plain text");
  const merged = c.cli(["pr", "merge", String(pr.number)]);
  expect(merged.exitCode, merged.stdout + merged.stderr).toBe(0);

  // Then the high task waits for its RFC: the policy classified it, not the planner's word alone.
  const auth = await itemOf("let guests change permissions", (i) => i.state === "blocked");
  expect(auth).toMatchObject({ escalation: "high_risk", scope: ["src/auth/**"], detail: { plannedFrom: parent.id, planned: true } });

  const transcript = c.cli(["logs", String(parent.detail.job), "--model"]);
  expect(transcript.exitCode, transcript.stderr).toBe(0);
  expect(transcript.stdout).toContain("write the release notes");
}, 90_000);

test("a directive labelled refactor is the Refactorer's, with its scope: no planning", async () => {
  expect(c.cli(["pause", "--why", "looking only"]).exitCode).toBe(0);
  const asked = c.cli(["ask", "fold the two parsers into one", "--label", "refactor", "--scope", "src/**"]);
  expect(asked.exitCode, asked.stderr).toBe(0);
  const plan = await c.client.call(routes.plan);
  expect(plan.entries.find((e) => e.item.title === "fold the two parsers into one")).toMatchObject({ specialist: "refactorer", item: { labels: ["refactor"] } });
}, 30_000);
