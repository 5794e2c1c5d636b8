import { afterAll, beforeAll, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { routes } from "../src/api/routes.ts";
import type { PullRequest } from "../src/prs/pr-types.ts";
import { Cluster } from "./helpers/cluster.ts";
import { startScriptedModel, type ScriptedModel } from "./helpers/scripted-model.ts";

/**
 * An external agent CLI as the executor, end to end (#19): `models.executor = "codex"`, and `codex` on the
 * worker's PATH is a stub (a node script) that runs inside the sandbox exactly where a real CLI would. It
 * reports its argv, its whole environment and every file it can read in its checkout and /tmp to the model
 * (the scripted server records what arrives, so nothing is redacted on the way), probes the network, and
 * edits a file; the job opens a PR. The model key is in the worker's environment only: the sandbox holds
 * the proxy's address and a dummy key; the proxy adds the real one.
 *
 * How the stub is visible in the sandbox: it is written under /var/tmp (mkdtemp), which the sandbox shows
 * read-only like the rest of the file system (only homes, /run, the repository, its git and runtime
 * directories and the highest non-system ancestor of the repository are hidden; /tmp is the sandbox's own
 * tmpfs, so a stub under /tmp would not be seen), and that directory is put first on the worker's PATH,
 * where the executor finds it host-side and runs it by that path. Its interpreter, node, is /usr/bin/node.
 */

const KEY = "sk-test-proxy-0123456789abcdefSECRET";
const LIB = "exports.add = (a, b) => a - b;\n";
const TEST = `const test = require("node:test");\nconst assert = require("node:assert");\nconst { add } = require("../lib.js");\ntest("adds", () => assert.equal(add(2, 2), 4));\n`;

const STUB = `#!/usr/bin/env node
const fs = require("node:fs");
const net = require("node:net");
const path = require("node:path");
const base = process.env.OPENAI_BASE_URL;
const prompt = process.argv[process.argv.length - 1];

// Every regular file it can read under a directory, small ones whole (the runtime binary and sockets skipped).
function walk(dir, out) {
  let names = [];
  try { names = fs.readdirSync(dir); } catch { return; }
  for (const name of names) {
    const file = path.join(dir, name);
    let stat;
    try { stat = fs.lstatSync(file); } catch { continue; }
    if (stat.isDirectory()) walk(file, out);
    else if (stat.isFile() && stat.size < 256 * 1024) { try { out[file] = fs.readFileSync(file, "utf8"); } catch {} }
  }
}

async function ask(content) {
  const r = await fetch(base + "/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer " + process.env.OPENAI_API_KEY },
    body: JSON.stringify({ model: "scripted", messages: [{ role: "user", content }] }),
  });
  return { status: r.status, text: await r.text() };
}

function raw(request) {
  return new Promise((resolve) => {
    const s = net.connect(3128, "127.0.0.1");
    let text = "";
    s.on("data", (d) => { text += d; if (text.includes("\\r\\n")) { s.destroy(); resolve(text.split("\\r\\n")[0]); } });
    s.on("error", (e) => resolve("error " + e.code));
    s.on("close", () => resolve(text.split("\\r\\n")[0]));
    s.write(request);
  });
}

const reach = (url) => fetch(url, { signal: AbortSignal.timeout(3000) }).then((r) => "status " + r.status, (e) => "error " + ((e.cause && e.cause.code) || e.name));

(async () => {
  if (prompt.includes("spin")) {
    // Asks and asks: the step budget refuses one, and the CLI is stopped.
    for (let i = 0; ; i++) console.log("stub: request " + i + " answered " + (await ask("again " + i)).status);
  }
  const files = {};
  walk(process.cwd(), files);
  walk("/tmp", files);
  const first = await ask(JSON.stringify({ argv: process.argv.slice(2), env: process.env, files }));
  console.log("stub: the model answered " + first.status);
  const direct = /base_url = "([^"]+)"/.exec(fs.readFileSync(".pushpals/config.toml", "utf8"))[1];
  const probes = {
    direct: await reach(direct + "/models"),
    public: await reach("http://1.1.1.1/"),
    otherHost: await raw("GET http://example.com/ HTTP/1.1\\r\\nHost: example.com\\r\\nConnection: close\\r\\n\\r\\n"),
    tunnel: await raw("CONNECT api.openai.com:443 HTTP/1.1\\r\\nHost: api.openai.com:443\\r\\n\\r\\n"),
  };
  await ask(JSON.stringify({ probes }));
  fs.writeFileSync("lib.js", "exports.add = (a, b) => a + b;\\n");
  console.log("stub: done");
})().catch((e) => { console.error("stub: " + e.stack); process.exit(3); });
`;

let model: ScriptedModel;
let c: Cluster;
let stubDir: string;

beforeAll(async () => {
  model = startScriptedModel(Array.from({ length: 12 }, (_, i) => ({ reply: `noted ${i}`, usage: { inputTokens: 100, outputTokens: 20 } })));
  stubDir = mkdtempSync("/var/tmp/pushpals-stub-cli-");
  mkdirSync(join(stubDir, "bin"));
  writeFileSync(join(stubDir, "bin", "codex"), STUB);
  chmodSync(join(stubDir, "bin", "codex"), 0o755);
  const config = `[repo]
base_branch = "main"

[remote_agent]
check_base = false

[[checks.commands]]
name = "test"
run = "node --test test/"

[models]
provider = "openai-compatible"
executor = "codex"
base_url = "${model.url}"
model = "scripted"
api_key_env = "TEST_MODEL_KEY"

[models.budget]
job_steps = 4
`;
  c = await Cluster.create({ configToml: config, files: { "lib.js": LIB, "test/add.test.js": TEST }, env: { TEST_MODEL_KEY: KEY, PATH: `${join(stubDir, "bin")}:${process.env.PATH}` } });
  await c.startServer();
  await c.startWorker("w1");
  await c.startAgents();
  await c.startRemoteAgent();
}, 60_000);

afterAll(async () => {
  await c?.stop();
  model?.stop();
  if (stubDir) rmSync(stubDir, { recursive: true, force: true });
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

test("an agent CLI in the sandbox reaches the model only through the proxy, holds no key, reaches nothing else, and its change becomes a PR", async () => {
  ask("make add add", ["lib.js"]);
  const item = await itemOf("make add add", (i) => typeof i.detail.pr === "number" || i.state === "blocked");
  expect(item.detail.lastFailure).toBeUndefined();
  const pr = (await c.client.call(routes.getPr, { params: { number: item.detail.pr as number } })).pr as PullRequest;
  expect(pr.checks).toMatchObject({ state: "passed", sha: pr.headSha });
  expect(pr.files.map((f) => f.path)).toEqual(["lib.js"]);
  expect(pr.body).toContain("Made by codex with openai-compatible/scripted through the PushPals model proxy: 2 requests, 240 tokens");

  const sent = model.completions();
  expect(sent).toHaveLength(2);
  // The model server got the real key, from the proxy; the CLI's own "Bearer pushpals-proxy" never arrived.
  for (const r of sent) expect(r.headers.authorization).toBe(`Bearer ${KEY}`);
  const report = JSON.parse(sent[0]!.messages[0]!.content) as { argv: string[]; env: Record<string, string>; files: Record<string, string> };
  expect(report.argv.slice(0, 2)).toEqual(["exec", "--sandbox"]);
  expect(report.argv.at(-1)).toContain("make add add");
  expect(report.env).toMatchObject({ OPENAI_BASE_URL: "http://127.0.0.1:3128/v1", OPENAI_API_KEY: "pushpals-proxy", HTTP_PROXY: "http://127.0.0.1:3128" });
  expect(report.env.TEST_MODEL_KEY).toBeUndefined();
  expect(JSON.stringify(report.env)).not.toContain(KEY);
  // It could read its checkout and /tmp (the forwarder is there), and no file holds the key.
  expect(Object.keys(report.files).some((f) => f.endsWith("/lib.js"))).toBe(true);
  expect(Object.keys(report.files)).toContain("/tmp/.pushpals/forwarder.ts");
  expect(JSON.stringify(report.files)).not.toContain(KEY);
  // Nothing else is reachable: not the model server directly, not the internet, not another host or a tunnel through the proxy.
  const { probes } = JSON.parse(sent[1]!.messages[0]!.content) as { probes: Record<string, string> };
  expect(probes.direct).toStartWith("error");
  expect(probes.public).toStartWith("error");
  expect(probes.otherHost).toBe("HTTP/1.1 403 Forbidden");
  expect(probes.tunnel).toBe("HTTP/1.1 403 Forbidden");

  // One exchange per proxied request, the CLI's command on each; no key in the transcript or the job's log.
  const job = String(item.detail.job);
  const page = await c.client.call(routes.modelExchanges, { params: { id: job }, query: {} });
  expect(page.exchanges.map((e) => [e.step, e.action.kind, e.usage.inputTokens])).toEqual([
    [1, "command", 100],
    [2, "command", 100],
  ]);
  expect(page.exchanges[0]!.action.command).toContain("/bin/codex exec --sandbox");
  const logs = c.cli(["logs", job]);
  expect(logs.stdout).toContain("stub: done");
  expect(logs.stdout).toContain("2 requests forwarded");
  for (const text of [logs.stdout, c.cli(["logs", job, "--model"]).stdout]) expect(text).not.toContain(KEY);

  // Merged like any change, which frees the Agent for the next directive.
  const merged = c.cli(["pr", "merge", String(pr.number)]);
  expect(merged.exitCode, merged.stdout + merged.stderr).toBe(0);
  await itemOf("make add add", (i) => i.state === "done");
}, 30_000);

test("a CLI that keeps asking is stopped at the step budget: budget_exceeded, the item stops", async () => {
  ask("spin until stopped", ["lib.js"]);
  const item = await itemOf("spin until stopped", (i) => i.state === "blocked");
  expect(item.detail.lastFailure).toMatchObject({ class: "budget_exceeded", message: expect.stringContaining("models.budget.job_steps") });
  // Four completions went out; the fifth was refused by the proxy, not sent.
  expect(model.completions()).toHaveLength(2 + 4);
}, 30_000);
