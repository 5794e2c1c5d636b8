import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Job } from "../src/store/jobs/job-rows.ts";
import { routes } from "../src/api/routes.ts";
import type { PullRequest } from "../src/prs/pr-types.ts";
import { Cluster } from "./helpers/cluster.ts";
import { lanes } from "./helpers/lanes.ts";
import { openForOthers, osUsersUnavailable, OsUsers, type OsUser } from "./helpers/os-user.ts";

// Each test has its own cluster and repository: the tests run concurrently, two at a time (a test is mostly
// one CLI call after another, each waiting on the cluster's processes).
const lane = lanes(2);
const started: Cluster[] = [];
// A test that timed out never reached the end of its scope: its cluster goes here.
afterAll(() => Promise.all(started.map((c) => c.stop())));

const CHECKS = `[checks]\ncommands = [{ name = "ok", run = "true" }]\n`;

// The requester (carol) is the OS user running PushPals; the approver (dave) must be another person,
// which the server knows only from the kernel: a real second OS user, approving through the people's socket.
const noUsers = osUsersUnavailable();
if (noUsers) console.warn(`skipping the tests that need a second person: ${noUsers}`);
const users = new OsUsers();
let people = "";
let dave: OsUser;
beforeAll(() => {
  if (noUsers) return;
  people = users.group("ppl");
  dave = users.user("dave", [people]);
});
afterAll(() => users.cleanup());
const withPeople = () => (noUsers ? "" : `[server]\npeople_group = "${people}"\n`);

async function start(policyToml = ""): Promise<Cluster> {
  const files: Record<string, string> = {
    "src/a.txt": "one\n",
    "src/b.txt": "two\n",
    "test/a.test.js": 'import { test, expect } from "bun:test";\ntest("a", () => {\n  expect(1).toBe(1);\n});\n',
  };
  if (policyToml) files[".pushpals/policy.toml"] = policyToml;
  const c = await Cluster.create({ configToml: CHECKS + withPeople(), files });
  started.push(c);
  openForOthers(c.root);
  await c.startServer();
  await c.startWorker("w1");
  await c.startAgents();
  return c;
}

/** The CLI as a person: carol runs PushPals (this process's user), dave is another OS user. */
function cliAs(c: Cluster, user: "carol" | "dave", args: string[]) {
  return user === "carol" ? c.cliAsync(args) : dave.cliAsync(c.root, args);
}

async function run(c: Cluster, scope: string, command: string): Promise<PullRequest> {
  const r = await cliAs(c, "carol", ["run", "--json", "--scope", scope, "--", command]);
  expect(r.stderr).toBe("");
  return (JSON.parse(r.stdout) as { pr: PullRequest }).pr;
}

async function pr(c: Cluster, n: number): Promise<PullRequest> {
  for (;;) {
    const p = (await c.client.call(routes.getPr, { params: { number: n } })).pr;
    if (p.review?.headSha === p.headSha) return p;
    await Bun.sleep(25);
  }
}

const git = (c: Cluster, args: string[]) => Bun.spawnSync(["git", ...args], { cwd: c.root, stdout: "pipe" }).stdout.toString().trim();

test.concurrent("Low waits for a merge request by default, and merges on its own once low.auto_merge is on", () => lane(async () => {
  await using c = await start();
  const waiting = await run(c, "src/**", "echo x >> src/a.txt");
  const reviewed = await pr(c, waiting.number);
  expect(reviewed.classification?.tier).toBe("low");
  expect(reviewed.review?.decision).toBe("approve");
  const jobs = await c.client.call(routes.listJobs, { query: { kind: "merge" } });
  expect(jobs.jobs).toHaveLength(0);
  expect(reviewed.state).toBe("open");
  await c.stop();

  await using auto = await start("[low]\nauto_merge = true\n");
  const opened = await run(auto, "src/**", "echo x >> src/a.txt");
  const deadline = Date.now() + 30_000;
  while ((await pr(auto, opened.number)).state !== "merged" && Date.now() < deadline) await Bun.sleep(50);
  const merged = await pr(auto, opened.number);
  expect(merged.state).toBe("merged");
  expect(git(auto, ["rev-parse", "main"])).toBe(opened.headSha);
  expect((await auto.cliAsync(["audit", "export"])).stdout).toContain('"action":"pr.auto_merge"');
}), lane.queuedTimeout(90_000));

test.concurrent.skipIf(noUsers !== null)("Medium waits for a person's approval of that SHA; the requester cannot approve their own change", () => lane(async () => {
  await using c = await start("[low]\nmax_files = 1\n");
  const opened = await run(c, "src/**", "echo x >> src/a.txt && echo y >> src/b.txt");
  const reviewed = await pr(c, opened.number);
  expect(reviewed.classification?.tier).toBe("medium");
  expect(reviewed.classification?.reasons.map((r) => r.rule)).toContain("size.files");

  const early = await cliAs(c, "carol", ["pr", "merge", String(opened.number)]);
  expect(early.exitCode).toBe(1);
  expect(early.stdout).toContain("policy_denied");
  expect(early.stdout).toContain("more approval(s)");
  expect(git(c, ["rev-parse", "main"])).toBe(opened.baseSha);

  const explained = await c.cliAsync(["policy", "explain", String(opened.number)]);
  expect(explained.stdout).toContain("tier: medium");
  expect(explained.stdout).toContain("size.files");
  expect(explained.stdout).toContain("1 approval(s)");
  expect(explained.stdout).toMatch(/missing:\n  - 1 more approval/);
  expect((await c.cliAsync(["policy", "explain", opened.jobId])).stdout).toContain(`PR #${opened.number}`);

  const own = await cliAs(c, "carol", ["approve", String(opened.number)]);
  expect(own.exitCode).toBe(5);
  expect(own.stderr).toContain("separation of duties");
  const shown = await cliAs(c, "dave", ["pr", String(opened.number)]);
  expect(shown.stdout).toContain("waiting for:");

  const approved = await cliAs(c, "dave", ["approve", opened.jobId, "--why", "two small files"]);
  expect(approved.exitCode).toBe(0);
  const merge = await cliAs(c, "carol", ["pr", "merge", String(opened.number)]);
  expect(merge.exitCode).toBe(0);
  expect(git(c, ["rev-parse", "main"])).toBe(opened.headSha);
  const audit = (await c.cliAsync(["audit", "export"])).stdout;
  expect(audit).toContain('"action":"pr.approved"');
  expect(audit).toContain(`"actor":"os:${dave.name}"`);
  expect(JSON.parse((await c.cliAsync(["audit", "verify", "--json"])).stdout).ok).toBe(true);
}), lane.queuedTimeout(90_000));

test.concurrent.skipIf(noUsers !== null)("a rejection stops a merge that the gate would otherwise let through", () => lane(async () => {
  await using c = await start();
  const opened = await run(c, "src/**", "echo x >> src/a.txt");
  await pr(c, opened.number);
  expect((await cliAs(c, "dave", ["reject", String(opened.number)])).exitCode).toBe(2);
  expect((await cliAs(c, "dave", ["reject", String(opened.number), "--why", "not now"])).exitCode).toBe(0);
  const merge = await cliAs(c, "carol", ["pr", "merge", String(opened.number)]);
  expect(merge.exitCode).toBe(1);
  expect(merge.stdout).toContain(`os:${dave.name} rejected it (not now)`);
}), lane.queuedTimeout(60_000));

test.concurrent("editing the policy is High, and the PR cannot use its own copy of the policy to pass", () => lane(async () => {
  await using c = await start();
  // A scope that targets the policy is High before anything runs (and High needs an RFC first).
  const refused = await cliAs(c, "carol", ["run", "--scope", ".pushpals/**", "--", "true"]);
  expect(refused.exitCode).toBe(5);
  expect(refused.stderr).toContain("makes this change High risk (protected_path: .pushpals/**)");
  const opened = await run(c, "**/*.toml", "mkdir -p .pushpals && printf '[low]\\nauto_merge = true\\n[high]\\nrequire_rfc = false\\n' > .pushpals/policy.toml");
  const reviewed = await pr(c, opened.number);
  expect(reviewed.classification?.tier).toBe("high");
  expect(reviewed.classification?.reasons.map((r) => r.rule)).toContain("policy_file");
  const merge = await cliAs(c, "carol", ["pr", "merge", String(opened.number)]);
  expect(merge.exitCode).toBe(1);
  expect(merge.stdout).toContain("RFC");
  expect(git(c, ["rev-parse", "main"])).toBe(opened.baseSha);
}), lane.queuedTimeout(60_000));

test.concurrent("a planted AWS key or a .skip added to a test is blocked by the review, naming file and line", () => lane(async () => {
  await using c = await start();
  const key = await run(c, "src/**", "printf 'const id = \"AKIAZ7QW3RT5YU6IOPLK\";\\nconst secret = \"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\";\\n' > src/aws.js");
  const keyed = await pr(c, key.number);
  expect(keyed.review?.decision).toBe("block");
  const finding = keyed.review!.findings.find((f) => f.severity === "block" && f.file === "src/aws.js");
  expect(finding?.line).toBeGreaterThan(0);
  expect(JSON.stringify(keyed.review)).not.toContain("Xq3vR8tL1mN0pB5");
  expect((await cliAs(c, "carol", ["pr", "merge", String(key.number)])).exitCode).toBe(1);

  const skip = await run(c, "test/**", "sed -i 's/^test(\"a\"/test.skip(\"a\"/' test/a.test.js");
  const skipped = await pr(c, skip.number);
  expect(skipped.review?.decision).toBe("block");
  expect(skipped.review!.findings.some((f) => f.file === "test/a.test.js" && f.line === 2)).toBe(true);
}), lane.queuedTimeout(90_000));

test.concurrent("policy check names the file, key, value and fix; policy explain classifies paths under the committed policy", () => lane(async () => {
  await using c = await Cluster.create({ files: { ".pushpals/policy.toml": "[paths]\nprotected = [\"billing/**\"]\n" } });
  const ok = await c.cliAsync(["policy", "check"]);
  expect(ok.exitCode).toBe(0);
  expect(ok.stdout).toContain("policy OK");
  const explained = await c.cliAsync(["policy", "explain", "billing/charge.ts", "README.md"]);
  expect(explained.stdout).toContain("tier: high");
  expect(explained.stdout).toContain("protected_path");
  expect((await c.cliAsync(["policy", "explain", "README.md"])).stdout).toContain("tier: low");
  await Bun.write(`${c.root}/.pushpals/policy.toml`, "[medium]\nrequired_approvals = \"two\"\n");
  const bad = await c.cliAsync(["policy", "check"]);
  expect(bad.exitCode).toBe(2);
  expect(bad.stderr).toContain("policy.toml");
  expect(bad.stderr).toContain("medium.required_approvals");
  expect(bad.stderr).toContain('"two"');
  expect(bad.stderr).toContain("fix:");
}), lane.queuedTimeout(5_000));

test.concurrent.skipIf(noUsers !== null)("a new commit on a PR voids the approvals of its old head; only the newly approved SHA merges", () => lane(async () => {
  await using c = await start("[low]\nmax_files = 1\n");
  const opened = await run(c, "src/**", "echo x >> src/a.txt && echo y >> src/b.txt");
  await pr(c, opened.number);
  expect((await cliAs(c, "dave", ["approve", String(opened.number)])).exitCode).toBe(0);

  const update = await cliAs(c, "carol", ["run", "--json", "--pr", String(opened.number), "--scope", "src/**", "--", "echo z >> src/a.txt"]);
  expect(update.exitCode).toBe(0);
  const updated = await pr(c, opened.number);
  expect(updated.headSha).not.toBe(opened.headSha);
  expect(updated.headBranch).toBe(opened.headBranch);
  expect(git(c, ["rev-parse", `${updated.headSha}^`])).toBe(opened.headSha);
  expect(git(c, ["rev-parse", opened.headBranch])).toBe(updated.headSha);

  const voided = await cliAs(c, "carol", ["pr", "merge", String(opened.number)]);
  expect(voided.exitCode).toBe(1);
  expect(voided.stdout).toContain("more approval(s)");
  expect((await cliAs(c, "dave", ["pr", String(opened.number)])).stdout).toContain("(void: older head)");

  expect((await cliAs(c, "dave", ["approve", String(opened.number)])).exitCode).toBe(0);
  expect((await cliAs(c, "carol", ["pr", "merge", String(opened.number)])).exitCode).toBe(0);
  expect(git(c, ["rev-parse", "main"])).toBe(updated.headSha);
  expect((await c.cliAsync(["audit", "export"])).stdout).toContain(`"voidedApprovals":["os:${dave.name}"]`);
}), lane.queuedTimeout(90_000));

test.concurrent.skipIf(noUsers !== null)("a High directive produces an RFC PR and no code; once people approve and merge it, High code can be carried out under it", () => lane(async () => {
  await using c = await start();
  const asked = await cliAs(c, "carol", ["ask", "rework the session tokens", "--risk", "high", "--scope", "src/auth/**", "--done", "all sessions rotate", "--json"]);
  expect(asked.exitCode).toBe(0);
  const { job: directive, rfcJob } = JSON.parse(asked.stdout) as { job: Job; rfcJob: Job };
  expect(directive.state).toBe("blocked");
  expect(directive.blockedReason).toContain("RFC");
  const rfcRun = await c.waitForJob(rfcJob.id, (j) => j.state === "succeeded", 30_000);
  expect(rfcRun.kind).toBe("run");
  const data = await c.client.call(routes.listPrs);
  const rfc = await pr(c, data.prs.find((p) => p.jobId === rfcJob.id)!.number);
  expect(rfc.rfcFor).toBe(directive.id);
  expect(rfc.files.map((f) => f.path)).toEqual(["docs/rfcs/0001-rework-the-session-tokens.md"]);
  expect(git(c, ["show", `${rfc.headSha}:docs/rfcs/0001-rework-the-session-tokens.md`])).toContain("all sessions rotate");
  // No code job was started for the directive: the only run job is the RFC's.
  const runs = await c.client.call(routes.listJobs, { query: { kind: "run" } });
  expect(runs.jobs.map((j) => j.id)).toEqual([rfcJob.id]);

  // High code without a merged RFC is refused before it runs.
  const early = await cliAs(c, "carol", ["run", "--risk", "high", "--scope", "src/auth/**", "--", "mkdir -p src/auth && echo x > src/auth/s.js"]);
  expect(early.exitCode).toBe(5);
  expect(early.stderr).toContain("approved RFC");
  const notMerged = await cliAs(c, "carol", ["run", "--risk", "high", "--rfc", String(rfc.number), "--scope", "src/auth/**", "--", "true"]);
  expect(notMerged.exitCode).toBe(5);

  // The RFC needs a person other than the requester, even though its own diff is only a document.
  expect((await cliAs(c, "carol", ["pr", "merge", String(rfc.number)])).exitCode).toBe(1);
  expect((await cliAs(c, "dave", ["approve", String(rfc.number)])).exitCode).toBe(0);
  expect((await cliAs(c, "carol", ["pr", "merge", String(rfc.number)])).exitCode).toBe(0);
  expect((await c.job(directive.id)).job.blockedReason).toContain(`RFC approved (PR #${rfc.number} merged)`);

  const code = await cliAs(c, "carol", ["run", "--json", "--risk", "high", "--rfc", String(rfc.number), "--scope", "src/auth/**", "--", "mkdir -p src/auth && echo x > src/auth/s.js"]);
  expect(code.exitCode).toBe(0);
  const high = await pr(c, (JSON.parse(code.stdout) as { pr: PullRequest }).pr.number);
  expect(high.classification?.tier).toBe("high");
  expect(high.rfc).toBe(rfc.number);
  expect((await cliAs(c, "carol", ["pr", "merge", String(high.number)])).stdout).toContain("more approval(s)");
  expect((await cliAs(c, "dave", ["approve", String(high.number)])).exitCode).toBe(0);
  expect((await cliAs(c, "carol", ["pr", "merge", String(high.number)])).exitCode).toBe(0);
  expect((await c.cliAsync(["audit", "export"])).stdout).toContain('"action":"directive.rfc_approved"');
}), lane.queuedTimeout(120_000));

test.concurrent("the merged candidate is classified again: a rebase that makes the change riskier than reviewed does not land", () => lane(async () => {
  await using c = await start();
  const opened = await run(c, "src/**", "echo x >> src/a.txt");
  expect((await pr(c, opened.number)).classification?.tier).toBe("low");
  // Meanwhile the base makes src/a.txt the package's entry point: the same change is now public API.
  Bun.spawnSync(["sh", "-c", `printf '{"name":"p","version":"1.0.0","main":"src/a.txt"}\\n' > package.json && git add package.json && git -c user.name=t -c user.email=t@t commit -qm entry`], { cwd: c.root });
  const merge = await cliAs(c, "carol", ["pr", "merge", String(opened.number)]);
  expect(merge.exitCode).toBe(1);
  expect(merge.stdout).toContain("becomes medium risk (public_api)");
  expect(git(c, ["log", "-1", "--format=%s", "main"])).toBe("entry");
}), lane.queuedTimeout(60_000));

test.concurrent("a change outside its role's write scope in the policy is High", () => lane(async () => {
  await using c = await start();
  const r = await cliAs(c, "carol", ["run", "--json", "--role", "docs_writer", "--scope", "src/**", "--", "echo x >> src/a.txt"]);
  expect(r.exitCode).toBe(0);
  const opened = await pr(c, (JSON.parse(r.stdout) as { pr: PullRequest }).pr.number);
  expect(opened.role).toBe("docs_writer");
  expect(opened.classification?.tier).toBe("high");
  expect(opened.classification?.reasons.find((x) => x.rule === "role_scope")?.paths).toEqual(["src/a.txt"]);
  const inRole = await cliAs(c, "carol", ["run", "--json", "--role", "docs_writer", "--scope", "**/*.md", "--", "echo x >> README.md"]);
  expect((await pr(c, (JSON.parse(inRole.stdout) as { pr: PullRequest }).pr.number)).classification?.tier).toBe("low");
}), lane.queuedTimeout(60_000));
