import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { routes } from "../src/api/routes.ts";
import { ApiClient } from "../src/client/api-client.ts";
import { loadEffectiveConfig } from "../src/config/load.ts";
import type { WorkItem } from "../src/planning/work-item.ts";
import { workItems } from "../src/planning/work-items.ts";
import { BULK_PATH } from "../src/registry/advisories.ts";
import { SecurityAudit } from "../src/security/security-finding.ts";
import { runServer, type RunningServer } from "../src/server/main.ts";
import { makeRepo, spawnPushpals, type Proc } from "./helpers/cluster.ts";
import { localServer, type LocalServer } from "./helpers/registry-fixture.ts";
import { tempDir } from "./helpers/temp.ts";

/**
 * The Security Sentinel end to end (issue #19): `pushpals security --audit` files one item (asked twice, still
 * one), the RemoteAgent dispatches it, a real WorkerPal audits the base's exact commit from git objects: a
 * planted AWS key (file and line, the value nowhere in the result, the log, the audit trail or the database),
 * auto-merge over a widened Low tier and the sandbox off in the committed settings, and advisories from a
 * local bulk endpoint with mapped severities. The item stops on a high_risk question; `pushpals security`
 * shows the findings. Nothing leaves 127.0.0.1.
 */

// Built at run time so this file holds no literal credential.
const AWS_KEY_ID = ["AKIA", "Q7XK2M4PLR8WZ3TN"].join("");
const lockEntry = (name: string, version: string) => ({ version, resolved: `http://127.0.0.1:9/${name}/-/${name}-${version}.tgz`, integrity: `sha512-${Buffer.alloc(64, name.length).toString("base64")}` });
const advisory = (id: number, title: string, severity: string, range: string) => ({ id, url: `https://github.com/advisories/GHSA-test-${id}`, title, severity, vulnerable_versions: range });

let repo: Awaited<ReturnType<typeof makeRepo>>;
let server: RunningServer;
let client: ApiClient;
let bulk: LocalServer;
const scratch = tempDir("pushpals-security-npm-");
const procs: Proc[] = [];
const env: Record<string, string> = {};

beforeAll(async () => {
  bulk = localServer((req) => {
    if (new URL(req.url).pathname !== `/${BULK_PATH}`) return undefined;
    return Response.json({
      "lib-crit": [advisory(11, "prototype pollution", "critical", "<2.0.0")],
      "lib-mod": [advisory(12, "ReDoS", "moderate", "<1.5.0"), advisory(13, "fixed long ago", "high", "<0.1.0")],
      "lib-low": [advisory(14, "verbose errors", "low", "*")],
    });
  });
  const userconfig = join(scratch.path, "user.npmrc");
  writeFileSync(userconfig, `registry=${bulk.url}\nfetch-retries=0\n`);
  env.NPM_CONFIG_USERCONFIG = userconfig;
  const manifest = { name: "app", version: "1.0.0", private: true, dependencies: { "lib-crit": "^1.0.0", "lib-mod": "^1.0.0", "lib-low": "^1.0.0", "lib-ok": "^1.0.0" } };
  const lock = {
    name: "app",
    version: "1.0.0",
    lockfileVersion: 3,
    requires: true,
    packages: {
      "": { name: "app", version: "1.0.0", dependencies: manifest.dependencies },
      "node_modules/lib-crit": lockEntry("lib-crit", "1.2.0"),
      "node_modules/lib-mod": lockEntry("lib-mod", "1.1.0"),
      "node_modules/lib-low": lockEntry("lib-low", "1.0.0"),
      "node_modules/lib-ok": lockEntry("lib-ok", "1.0.0"),
    },
  };
  repo = await makeRepo({
    files: {
      "package.json": `${JSON.stringify(manifest, null, 2)}\n`,
      "package-lock.json": `${JSON.stringify(lock, null, 2)}\n`,
      "src/deploy.ts": `export const region = "eu-west-1";\n\nexport const accessKeyId = "${AWS_KEY_ID}";\n`,
      ".pushpals/policy.toml": "[low]\nauto_merge = true\nmax_files = 500\n\n[medium]\nmax_files = 500\n",
    },
    configToml: '[sandbox]\nmode = "off"\n\n[remote_agent]\ncheck_base = false\n\n[dependency_steward]\nscan_every_seconds = 0\n',
  });
  const config = loadEffectiveConfig({ repoRoot: repo.root, runtimeDir: repo.paths.runtimeDir, env: {} }).config;
  server = await runServer(repo.paths, config, { tickMs: 50 });
  client = new ApiClient({ serverFile: repo.paths.serverFile }, { checkReplies: true });
  // Only the audit: the RemoteAgent's own dependency scan of the head waits, queued.
  const worker = spawnPushpals(["worker", "--name", "sentinel", "--kinds", "security-audit"], repo.root, env);
  procs.push(worker);
  await worker.waitForOutput(/registered wrk_\S+ for .*security-audit/);
}, 60_000);

afterAll(async () => {
  for (const p of procs) p.proc.kill("SIGKILL");
  await Promise.all(procs.map((p) => p.proc.exited));
  await server?.shutdown("test over");
  await bulk?.stop();
  repo?.cleanup();
  scratch.cleanup();
});

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const p = spawnPushpals(args, repo.root, { ...env, NO_COLOR: "1" });
  const code = await p.proc.exited;
  return { code, out: p.output() };
}

async function settled(id: string): Promise<WorkItem> {
  for (let i = 0; i < 600; i++) {
    const item = workItems(server.store).getWorkItem(id)!;
    if (item.state === "blocked" || item.state === "done") return item;
    await Bun.sleep(100);
  }
  throw new Error(`work item ${id} did not settle`);
}

test("an audit asked for twice is one item; dispatched, it reports the secret, the weakened settings and the advisories, and stops on a question", async () => {
  const first = await cli(["security", "--audit"]);
  expect(first.code).toBe(0);
  const id = /filed security audit (wi_\S+):/.exec(first.out)?.[1];
  expect(id).toBeDefined();
  const again = await cli(["security", "--audit"]);
  expect(again.out).toContain(`a security audit is already waiting: ${id}`);
  expect((await client.call(routes.listWorkItems, {})).items.filter((i) => i.type === "security_audit").map((i) => i.id)).toEqual([id!]);

  procs.push(spawnPushpals(["agent", "remote-agent"], repo.root, env));
  const item = await settled(id!);
  expect(item.state).toBe("blocked");
  expect(item.escalation).toBe("high_risk");
  expect(item.question).toContain("high secrets src/deploy.ts:3 (secretlint/aws)");
  expect(item.question).toContain("high settings .pushpals/config.toml (sandbox.mode)");
  expect(item.question).toContain("rotate each secret first");
  expect(item.question).toContain("the Dependency Steward's security PR");

  const jobId = String(item.detail.job);
  const job = server.store.getJob(jobId)!;
  expect(job).toMatchObject({ kind: "security-audit", state: "succeeded" });
  const head = Bun.spawnSync(["git", "rev-parse", "HEAD"], { cwd: repo.root }).stdout.toString().trim();
  expect(job.input).toEqual({ baseBranch: "main", baseCommit: head });
  const audit = SecurityAudit.parse(job.result);
  const rows = audit.findings.map((f) => [f.severity, f.check, f.rule, f.file, f.line]);
  expect(rows).toContainEqual(["high", "secrets", "secretlint/aws", "src/deploy.ts", 3]);
  expect(rows).toContainEqual(["high", "settings", "sandbox.mode", ".pushpals/config.toml", null]);
  expect(rows).toContainEqual(["medium", "settings", "low.auto_merge", ".pushpals/policy.toml", null]);
  // critical -> high, moderate -> medium, low -> low; an advisory whose range misses the locked version is not one.
  expect(rows).toContainEqual(["high", "advisories", "advisory:11", "package-lock.json", null]);
  expect(rows).toContainEqual(["medium", "advisories", "advisory:12", "package-lock.json", null]);
  expect(rows).toContainEqual(["low", "advisories", "advisory:14", "package-lock.json", null]);
  expect(rows.some((r) => r[2] === "advisory:13")).toBe(false);
  expect(audit.findings.find((f) => f.rule === "advisory:11")!.message).toContain("lib-crit@1.2.0 (package.json) is vulnerable: prototype pollution");
  expect(audit.complete).toBe(true);

  // The key's value is nowhere: not in the result, the job's log, the audit trail, nor the database's bytes.
  const logs = (await client.call(routes.jobLogs, { params: { id: jobId }, query: { limit: 5000 } })).lines.map((l) => l.line);
  expect(logs.some((l) => l.includes("secretlint/aws"))).toBe(true);
  for (const text of [JSON.stringify(job.result), logs.join("\n"), JSON.stringify(item)]) {
    expect(text).not.toContain(AWS_KEY_ID);
    expect(text).not.toContain(AWS_KEY_ID.slice(4));
  }
  for (const file of [repo.paths.dbPath, `${repo.paths.dbPath}-wal`]) {
    if (existsSync(file)) expect(readFileSync(file).includes(Buffer.from(AWS_KEY_ID.slice(4)))).toBe(false);
  }

  const shown = await cli(["security"]);
  expect(shown.code).toBe(0);
  expect(shown.out).toContain(`security audit of main at ${head.slice(0, 12)}`);
  expect(shown.out).toMatch(/high\s+secrets\s+src\/deploy\.ts:3\s+secretlint\/aws/);
  expect(shown.out).toMatch(/medium\s+advisories\s+package-lock\.json\s+advisory:12/);
  expect(shown.out).toContain(`item ${id} waits on a person`);
  expect(shown.out).not.toContain(AWS_KEY_ID);

  // Asked again once the first is blocked: that one is superseded, a new one waits.
  const fresh = await client.call(routes.requestSecurityAudit, { body: {} });
  expect(fresh.filed).toBe(true);
  expect(fresh.item.id).not.toBe(id);
  expect(workItems(server.store).getWorkItem(id!)!.state).toBe("done");
}, 90_000);
