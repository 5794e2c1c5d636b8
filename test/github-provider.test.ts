import { afterEach, expect, test } from "bun:test";
import { routes } from "../src/api/routes.ts";
import { readFileSync } from "node:fs";
import { FakeGithub } from "./helpers/fake-github.ts";
import type { PullRequest } from "../src/prs/pr-types.ts";
import { Cluster, PUSHPALS_BIN } from "./helpers/cluster.ts";
import { tempDir } from "./helpers/temp.ts";

const TOKEN = `ghp_${"Zq9".repeat(12)}`;
let cluster: Cluster | null = null;
let fake: FakeGithub | null = null;
const dirs: { cleanup: () => void }[] = [];

afterEach(async () => {
  await cluster?.stop();
  fake?.stop();
  cluster = null;
  fake = null;
  for (const d of dirs.splice(0)) d.cleanup();
});

function git(cwd: string, args: string[]): string {
  const r = Bun.spawnSync(["git", ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  return r.exitCode === 0 ? r.stdout.toString().trim() : "";
}

test("provider github: the SourceControlManager pushes the exact head, opens the PR there and merges it bound to that SHA; the token goes nowhere else", async () => {
  const bare = tempDir("pushpals-remote-");
  dirs.push(bare);
  git(bare.path, ["init", "-q", "--bare"]);
  fake = new FakeGithub("octo", "textkit").start();
  // The fake's branch heads come from the remote repository, as GitHub's do.
  const branches = fake.branches;
  Object.defineProperty(branches, "get", { value: (branch: string) => git(bare.path, ["rev-parse", "--verify", "-q", `refs/heads/${branch}`]) || undefined });
  const config = `
[checks]
commands = [{ name = "ok", run = "true" }]
[pr]
provider = "github"
[github]
repository = "octo/textkit"
api_url = "${fake.url}"
remote_url = "file://${bare.path}"
`;
  const c = await Cluster.create({ configToml: config, files: { "src/a.txt": "one\n" }, env: { PUSHPALS_GITHUB_TOKEN: TOKEN } });
  cluster = c;
  await c.startServer();
  await c.startWorker("w1");
  await c.startAgents();

  // The command tries to leak the worker's environment into the change: the sandbox has no token to give.
  const run = c.cli(["run", "--json", "--scope", "src/**", "--", "echo two >> src/a.txt && env | tr = ' ' > src/env.txt"]);
  expect(run.exitCode).toBe(0);
  const opened = (JSON.parse(run.stdout) as { pr: PullRequest }).pr;
  expect(opened.provider).toBe("github");
  expect(git(c.root, ["show", `${opened.headSha}:src/env.txt`])).not.toContain(TOKEN);

  const published = await waitFor(async () => {
    const data = await c.client.call(routes.getPr, { params: { number: opened.number } });
    return data.pr.remote;
  });
  expect(published).toMatchObject({ provider: "github", number: 1, pushedSha: opened.headSha });
  expect(git(bare.path, ["rev-parse", `refs/heads/${opened.headBranch}`])).toBe(opened.headSha);
  expect(fake.pulls.get(1)?.head.sha).toBe(opened.headSha);
  expect(fake.requests.every((r) => r.authorization?.includes(TOKEN))).toBe(true);

  // Asynchronously: the fake GitHub answers from this very process.
  const merge = await cliAsync(c, ["pr", "merge", String(opened.number)]);
  expect(merge.stderr).toBe("");
  expect(merge.exitCode).toBe(0);
  expect(merge.stdout).toContain(`merged PR #${opened.number} on GitHub`);
  const put = fake.requests.find((r) => r.method === "PUT");
  expect(put?.body).toMatchObject({ sha: opened.headSha, merge_method: "merge" });
  const data = await c.client.call(routes.getPr, { params: { number: opened.number } });
  expect(data.pr.state).toBe("merged");
  expect(data.pr.merge?.previousBaseSha).toBeNull();
  // The local base is not moved by a remote merge: it arrives with the next fetch.
  expect(git(c.root, ["rev-parse", "main"])).toBe(opened.baseSha);

  // The token is in no log line, audit entry, job record or CLI output.
  const everything = [c.cli(["audit", "export"]).stdout, merge.stdout, run.stdout, c.cli(["pr", String(opened.number), "--json"]).stdout];
  const jobs = await c.client.call(routes.listJobs, { query: { limit: 100 } });
  for (const job of jobs.jobs) {
    everything.push(JSON.stringify(job));
    const logs = await c.client.call(routes.jobLogs, { params: { id: job.id }, query: { limit: 5000 } });
    everything.push(JSON.stringify(logs.lines));
  }
  everything.push(readFileSync(c.paths.dbPath).toString("latin1"));
  for (const text of everything) expect(text).not.toContain(TOKEN);
}, 60_000);

async function cliAsync(c: Cluster, args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const p = Bun.spawn([PUSHPALS_BIN, ...args], { cwd: c.root, stdout: "pipe", stderr: "pipe", env: { ...process.env, ...c.env } });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { exitCode, stdout, stderr };
}

async function waitFor<T>(probe: () => Promise<T | null | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await Bun.sleep(25);
  }
}
