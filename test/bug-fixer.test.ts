import { afterAll, beforeAll, expect, test } from "bun:test";
import { pullRequests } from "../src/prs/pr-store.ts";
import type { Job } from "../src/store/jobs/job-rows.ts";
import { runServerJob } from "./helpers/server-job.ts";
import { startModelJobCluster, type ModelJobCluster } from "./helpers/model-job-cluster.ts";

/**
 * The Bug Fixer's definition of done, enforced in code (#19): an `agent-run` in `bug_fix` mode opens its PR
 * only when a test in the change fails on the base without the fix and every check passes with it. A fix
 * without a test, or with a test that passes on the base anyway, fails the job and opens nothing. The model
 * is a scripted OpenAI-compatible server on 127.0.0.1; the server runs in this process so the test can queue
 * the server-built job, a real WorkerPal, ReviewAgent and SourceControlManager run it.
 */

const KEY = "sk-test-bugfixer-0123456789";
const LIB = "exports.add = (a, b) => a - b;\n";
const FAILING = `const test = require("node:test");\nconst assert = require("node:assert");\nconst { add } = require("../lib.js");\ntest("adds", () => assert.equal(add(2, 2), 4));\n`;
const PASSING = `const test = require("node:test");\ntest("trivially true", () => {});\n`;
const reply = (command: string) => ({ reply: `\`\`\`bash\n${command}\n\`\`\``, usage: { inputTokens: 50, outputTokens: 10 } });
const FIX = "sed -i 's/a - b/a + b/' lib.js";
const writeTest = (text: string) => `mkdir -p test && cat > test/add.test.js <<'EOF'\n${text}EOF`;

const SCRIPT = [
  // 1: a fix and no test.
  reply(FIX),
  reply("SUBMIT"),
  // 2: a fix and a test that passes without it.
  reply(`${writeTest(PASSING)}\n${FIX}`),
  reply("SUBMIT"),
  // 3: gaming it: a test that only fails because a file is missing, and a "fix" that adds the file.
  reply(`${writeTest('require("./marker.js");\nrequire("node:test")("loads", () => {});\n')}\necho 1 > test/marker.js`),
  reply("SUBMIT"),
  // 4: the test first (it fails), then the fix.
  reply(`${writeTest(FAILING)}\nnode --test test/ || true`),
  reply(`${FIX} && node --test test/`),
  reply("SUBMIT"),
];

let c: ModelJobCluster;

beforeAll(async () => {
  const config = (url: string) =>
    `[[checks.commands]]\nname = "test"\nrun = "node --test --test-reporter=spec --test-reporter-destination=stdout --test-reporter=junit --test-reporter-destination=$PUSHPALS_TEST_REPORT test/"\nreport = ".git/pushpals-report-test.xml"\n\n[models]\nprovider = "openai-compatible"\nbase_url = "${url}"\nmodel = "scripted"\napi_key_env = "TEST_MODEL_KEY"\n`;
  c = await startModelJobCluster(SCRIPT, { config, files: { "lib.js": LIB, "test/sanity.test.js": PASSING }, key: KEY, worker: "fixer" });
}, 60_000);

afterAll(async () => {
  await c?.stop();
});

function fix(): Promise<Job> {
  const input = { title: "Fix add", task: "add(2, 2) should be 4", scope: ["lib.js", "test/**"], baseBranch: "main", baseCommit: c.base, mode: "bug_fix" };
  return runServerJob(c.server, "agent-run", input);
}

test("a fix without a test is no evidence: the job fails and no PR opens", async () => {
  const job = await fix();
  expect(job.failure).toMatchObject({ class: "checks_failed", message: expect.stringContaining("needs a test that fails without the fix") });
  expect(pullRequests(c.server.store).getPullRequestByJob(job.id)).toBeNull();
}, 60_000);

test("a test that passes on the base without the fix does not reproduce the bug: no PR", async () => {
  const job = await fix();
  expect(job.failure).toMatchObject({ class: "checks_failed", message: expect.stringContaining("pass on the base without the fix: they do not reproduce the bug") });
  expect(pullRequests(c.server.store).getPullRequestByJob(job.id)).toBeNull();
}, 60_000);

test("attack: a test that fails on the base only because a file it loads is missing is no reproduction of the bug", async () => {
  const job = await fix();
  expect(job.failure).toMatchObject({ class: "checks_failed", message: expect.stringContaining("no test that failed on the base") });
  expect(pullRequests(c.server.store).getPullRequestByJob(job.id)).toBeNull();
}, 60_000);

test("reproduced first, then fixed: the PR carries the failing-then-passing evidence", async () => {
  const job = await fix();
  expect(job.failure ?? null).toBeNull();
  const pr = pullRequests(c.server.store).getPullRequestByJob(job.id)!;
  expect(pr.checks).toMatchObject({ state: "passed", sha: pr.headSha });
  expect(pr.body).toContain("Reproduced first: with only `test/add.test.js` applied to the base");
  expect(pr.body).toMatch(/`test` exited 1 \(failing there, passing with the fix: `[^`]*adds`\)/);
}, 60_000);
