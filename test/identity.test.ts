import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { routes } from "../src/api/routes.ts";
import { personOf } from "../src/identity/os-users.ts";
import type { PullRequest } from "../src/prs/pr-types.ts";
import { Cluster } from "./helpers/cluster.ts";
import { openForOthers, osUsersUnavailable, OsUsers, type OsUser } from "./helpers/os-user.ts";
import { rawCall } from "./helpers/raw-call.ts";

/**
 * Hole 1: who a person is comes from the kernel (the connection's uid), never from the request or the
 * environment. Real processes throughout: the server, a WorkerPal and the agents, the CLI, other programs.
 */

const noUsers = osUsersUnavailable();
if (noUsers) console.warn(`skipping the tests that need other OS users: ${noUsers}`);
const users = new OsUsers();
let people = "";
let dave: OsUser;
let mallory: OsUser;
beforeAll(() => {
  if (noUsers) return;
  people = users.group("idp");
  dave = users.user("idd", [people]);
  mallory = users.user("idm"); // not in the people group
});
afterAll(() => users.cleanup());

let cluster: Cluster | null = null;
afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

const ME = personOf(process.getuid!());

/** A Medium PR (two files, `max_files = 1`), requested by this process's OS user and reviewed. */
async function mediumPr(): Promise<{ c: Cluster; pr: PullRequest }> {
  const c = await Cluster.create({
    configToml: `[checks]\ncommands = [{ name = "ok", run = "true" }]\n${noUsers ? "" : `[server]\npeople_group = "${people}"\n`}`,
    files: { "src/a.txt": "one\n", "src/b.txt": "two\n", ".pushpals/policy.toml": "[low]\nmax_files = 1\n" },
  });
  cluster = c;
  openForOthers(c.root);
  await c.startServer();
  await c.startWorker("w1");
  await c.startAgents();
  const r = c.cli(["run", "--json", "--scope", "src/**", "--", "echo x >> src/a.txt && echo y >> src/b.txt"]);
  expect(r.stderr).toBe("");
  const opened = (JSON.parse(r.stdout) as { pr: PullRequest }).pr;
  for (;;) {
    const pr = (await c.client.call(routes.getPr, { params: { number: opened.number } })).pr;
    if (pr.review?.headSha === pr.headSha) return { c, pr };
    await Bun.sleep(25);
  }
}

async function state(c: Cluster, n: number) {
  const { pr } = await c.client.call(routes.getPr, { params: { number: n } });
  const gate = await c.client.call(routes.prGate, { params: { number: n } });
  const audit = c.cli(["audit", "export"]).stdout;
  return { approvals: pr.approvals, rejections: pr.rejections, gateOpen: gate.ok, approvedInAudit: audit.includes('"action":"pr.approved"'), paused: (await c.client.call(routes.getControl)).paused };
}

test("the runtime directory is the owner's alone, the API socket 0600, and server.json says where it is", async () => {
  const { c } = await mediumPr();
  expect(statSync(c.paths.runtimeDir).mode & 0o777).toBe(0o700);
  expect(statSync(c.paths.socket).isSocket()).toBe(true);
  expect(statSync(c.paths.socket).mode & 0o777).toBe(0o600);
  expect(statSync(c.paths.credentialKey).mode & 0o777).toBe(0o600);
  const info = JSON.parse(await Bun.file(c.paths.serverFile).text()) as { socket: string; url: string };
  expect(info.socket).toBe(c.paths.socket);
  expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  if (!noUsers) {
    expect(statSync(c.paths.peopleDir).mode & 0o777).toBe(0o750);
    expect(statSync(c.paths.peopleSocket).mode & 0o777).toBe(0o660);
  }
}, 60_000);

test("a forged actor in a body, or a changed $USER, approves nothing: the requester stays the requester", async () => {
  const { c, pr } = await mediumPr();
  expect(pr.createdBy).toBe(ME);
  expect(pr.classification?.tier).toBe("medium");
  const before = await state(c, pr.number);
  expect(before).toMatchObject({ approvals: [], gateOpen: false, approvedInAudit: false });

  // Another program on the owner's socket names someone else: the body may not name an actor at all.
  const forged = rawCall({ socket: c.paths.socket }, "POST", `/prs/${pr.number}/approve`, { actor: "os:dave", head: pr.headSha, reason: "lgtm" });
  expect(forged.status).toBe(400);
  expect(forged.body.error).toMatchObject({ code: "invalid_input", field: "actor" });
  // The same on the loopback TCP listener: it answers no write at all.
  const url = (JSON.parse(await Bun.file(c.paths.serverFile).text()) as { url: string }).url;
  const overTcp = rawCall({ url }, "POST", `/prs/${pr.number}/approve`, { actor: "os:dave" });
  expect(overTcp.status).toBe(403);
  expect(overTcp.body.error?.message).toContain("read-only");
  expect(rawCall({ url }, "POST", `/prs/${pr.number}/approve`, {}).status).toBe(403);

  // The requester sets $USER and $LOGNAME to someone else: the kernel still says who they are.
  const own = c.cli(["approve", String(pr.number)]);
  const disguised = Bun.spawnSync([`${import.meta.dir}/../bin/pushpals`, "approve", String(pr.number)], { cwd: c.root, stdout: "pipe", stderr: "pipe", env: { ...process.env, USER: "dave", LOGNAME: "dave" } });
  for (const r of [own, { exitCode: disguised.exitCode, stderr: disguised.stderr.toString() }]) {
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toContain(`${ME} asked for PR #${pr.number}, so cannot approve it too`);
  }
  expect(await state(c, pr.number)).toEqual(before);
  expect(c.cli(["pr", "merge", String(pr.number)]).exitCode).toBe(1);
  expect(Bun.spawnSync(["git", "rev-parse", "main"], { cwd: c.root, stdout: "pipe" }).stdout.toString().trim()).toBe(pr.baseSha);
}, 90_000);

test.skipIf(noUsers !== null)("a second OS user approves through the people's socket as themselves, whatever their environment says, and may do nothing else there", async () => {
  const { c, pr } = await mediumPr();
  const before = await state(c, pr.number);

  // dave claims to be the requester in every variable he controls: the approval is dave's.
  const approved = dave.cli(c.root, ["approve", String(pr.number), "--why", "read the diff"], { USER: "root", LOGNAME: "root" });
  expect(approved.stderr).toBe("");
  expect(approved.exitCode).toBe(0);
  expect(approved.stdout).toContain(`approved PR #${pr.number} at ${pr.headSha.slice(0, 12)} as os:${dave.name}`);
  const after = await state(c, pr.number);
  expect(after.approvals.map((a) => [a.by, a.headSha])).toEqual([[`os:${dave.name}`, pr.headSha]]);
  expect(after.gateOpen).toBe(true);
  // Reads work for him too.
  expect(dave.cli(c.root, ["pr", String(pr.number)]).stdout).toContain(`os:${dave.name}`);

  // The people's socket answers reads, approve, reject and merge requests, nothing else: no pause, no jobs, no credentials, no worker.
  const paused = dave.cli(c.root, ["pause", "--why", "mine now"]);
  expect(paused.exitCode).not.toBe(0);
  expect(paused.stderr).toContain("people's socket answers reads, approve, reject and merge requests only");
  const bun = process.execPath;
  const script = (method: string, path: string, body: unknown) =>
    `const r = await fetch("http://localhost${path}", { method: "${method}", unix: ${JSON.stringify(c.paths.peopleSocket)}, headers: { "content-type": "application/json" }, body: ${JSON.stringify(JSON.stringify(body))} }); console.log(r.status, await r.text());`;
  for (const [method, path, body] of [
    ["POST", "/credentials", { role: "review-agent", name: "review-agent" }],
    ["POST", "/workers", { id: "wrk_dave00001", name: "dave", kinds: ["review"], pid: null }],
    ["POST", "/jobs", { kind: "noop", input: {} }],
    ["POST", `/prs/${pr.number}/close`, {}],
  ] as [string, string, unknown][]) {
    const r = dave.run(c.root, [bun, "-e", script(method, path, body)]);
    expect(r.stdout).toStartWith("403 ");
  }
  // He cannot reach the owner's socket at all: the runtime directory is not his to enter.
  const owner = dave.run(c.root, [bun, "-e", `try { await fetch("http://localhost/health", { unix: ${JSON.stringify(c.paths.socket)} }); console.log("connected"); } catch (e) { console.log("refused", e.code ?? e.message); }`]);
  expect(owner.stdout).toStartWith("refused");

  // mallory is not in the people group: she cannot connect to either socket.
  const intruder = mallory.cli(c.root, ["approve", String(pr.number)]);
  expect(intruder.exitCode).not.toBe(0);
  const final = await state(c, pr.number);
  expect(final).toEqual({ ...after, approvedInAudit: true });
  expect(final.paused).toBeNull();
  expect(before.paused).toBeNull();
}, 120_000);
