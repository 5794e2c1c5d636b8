import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { routes } from "../src/api/routes.ts";
import type { WorkItem } from "../src/planning/work-item.ts";
import type { PullRequest } from "../src/prs/pr-types.ts";
import { Cluster } from "./helpers/cluster.ts";
import { publishVersions, setPublishTimes, startAccessVerdaccio, type AccessRegistry } from "./helpers/registry-fixture.ts";
import { startScriptedModel, type ScriptedModel } from "./helpers/scripted-model.ts";
import { tempDir } from "./helpers/temp.ts";

/**
 * Issue #18 end to end: real processes, a real npm and registry, real git. A PR that no longer merges
 * onto its base becomes a `pr_conflict` item; the RemoteAgent dispatches it to the Conflict Resolver,
 * whose resolution is the PR's new head (a merge of the base), checked on the exact commit, reviewed
 * again; a conflict no strategy resolves ends blocked with its hunks, the PR untouched.
 */

const MANIFEST = `{
  "name": "app",
  "private": true,
  "dependencies": {
    "lib-a": "^1.0.0",
    "lib-b": "^1.0.0"
  }
}
`;
const CHANGELOG = "# Changelog\n\n## Unreleased\n\n## 1.0.0\n\n- first\n";
const CHECK = `node -e "require('lib-a'); require('lib-b')"`;
// The model, a scripted OpenAI-compatible server on 127.0.0.1 (the only fake here), is the last strategy:
// asked about the one-line conflict (it declines) and, last, about two lists grown at one place (it merges).
const MODEL_KEY = "sk-test-resolver-0123456789SECRET";
const MODEL_SCRIPT = [
  { reply: "UNRESOLVABLE: both sides renamed the same word differently", usage: { inputTokens: 300, outputTokens: 12 } },
  { reply: "The merged file:\n```\nfruit\napple\npear\nplum\n```", usage: { inputTokens: 300, outputTokens: 20 } },
];
let model: ScriptedModel;
const modelConfig = (url: string) => ["", "[models]", 'provider = "openai-compatible"', `base_url = "${url}"`, 'model = "scripted"', 'api_key_env = "TEST_MODEL_KEY"', ""].join("\n");
const CONFIG = [
  "[repo]",
  'base_branch = "main"',
  "",
  "[[checks.commands]]",
  'name = "deps"',
  `run = ${JSON.stringify(CHECK)}`,
  "",
  "[[dependency_steward.package_rules]]",
  'packages = ["lib-a"]',
  'group = "a"',
  "",
  "[[dependency_steward.package_rules]]",
  'packages = ["lib-b"]',
  'group = "b"',
  "",
].join("\n");
// Minor updates are Low here, and nothing merges on its own: the test merges each PR when it wants.
const POLICY = '[dependencies.tiers]\nminor = "low"\n';

const scratch = tempDir("pushpals-resolver-e2e-");
// mergiraf cannot be installed here (no Debian package in bookworm, no npm package, no crates.io): a
// stand-in on PATH plays the structured merge driver, for TypeScript files only, by a rule of its own
// (the base's first line, then each side's other lines); anything else it leaves conflicted, as mergiraf does.
// Outside /tmp: the sandbox's /tmp is its own, where the driver would not be found.
const driverBin = mkdtempSync("/var/tmp/pushpals-driver-bin-");
writeFileSync(join(driverBin, "mergiraf"), '#!/bin/sh\ncase "$8" in *.ts) ;; *) exit 1 ;; esac\n{ head -n 1 "$2"; tail -n +2 "$3"; tail -n +2 "$4"; } > "$6"\n', { mode: 0o755 });
let registry: AccessRegistry;
let cluster: Cluster;

function npmrc(home: string): string {
  mkdirSync(home, { recursive: true });
  const file = join(home, ".npmrc");
  writeFileSync(file, `registry=${registry.url}\n`);
  return file;
}

function git(args: string[]): string {
  const r = Bun.spawnSync(["git", ...args], { cwd: cluster.root, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
}

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${cluster.cli(["jobs"]).stdout}\n${cluster.procs.map((p) => p.output()).join("\n---\n").slice(-6000)}`);
    await Bun.sleep(100);
  }
}

async function items(): Promise<WorkItem[]> {
  return (await cluster.client.call(routes.listWorkItems, { query: { all: "1" } })).items;
}

async function pr(n: number): Promise<PullRequest> {
  return (await cluster.client.call(routes.getPr, { params: { number: n } })).pr;
}

async function prs(): Promise<PullRequest[]> {
  return (await cluster.client.call(routes.listPrs, { query: {} })).prs;
}

/** Asks to merge and waits for the merge job's end. */
async function merge(n: number): Promise<PullRequest> {
  const r = cluster.cli(["pr", "merge", String(n), "--json"]);
  if (!r.stdout.trim().startsWith("{")) throw new Error(`pr merge ${n}: exit ${r.exitCode}\n${r.stdout}\n${r.stderr}`);
  const out = JSON.parse(r.stdout) as { job: { state: string; failure: unknown }; pr: PullRequest };
  if (out.pr.state !== "merged" && !out.pr.lastMergeFailure) throw new Error(`pr merge ${n} failed: ${JSON.stringify(out.job.failure)}`);
  return out.pr;
}

async function reviewed(n: number): Promise<PullRequest> {
  return waitFor(`PR #${n} reviewed at its head`, async () => {
    const p = await pr(n);
    return p.review?.headSha === p.headSha && p;
  });
}

/** A PR made by a codemod run on the base's head now. */
function run(title: string, command: string, scope: string): number {
  const r = cluster.cli(["run", "--json", "--scope", scope, "--title", title, "--", command]);
  const out = JSON.parse(r.stdout) as { pr: PullRequest | null };
  if (!out.pr) throw new Error(`${title}: no PR\n${r.stdout}\n${r.stderr}`);
  return out.pr.number;
}

beforeAll(async () => {
  model = await startScriptedModel(MODEL_SCRIPT);
  registry = await startAccessVerdaccio();
  const { url, token } = registry;
  for (const name of ["lib-a", "lib-b"]) await publishVersions(url, token, name, [{ version: "1.0.0" }]);
  const dev = join(scratch.path, "dev");
  mkdirSync(dev, { recursive: true });
  writeFileSync(join(dev, "package.json"), MANIFEST);
  const devHome = join(scratch.path, "dev-home");
  const npm = Bun.spawnSync(["npm", "install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: dev, env: { PATH: process.env.PATH!, HOME: devHome, NPM_CONFIG_USERCONFIG: npmrc(devHome) }, stdout: "pipe", stderr: "pipe" });
  if (npm.exitCode !== 0) throw new Error(npm.stderr.toString());
  for (const name of ["lib-a", "lib-b"]) {
    await publishVersions(url, token, name, [{ version: "1.1.0" }]);
    setPublishTimes(registry.storage, name, { "1.0.0": 60, "1.1.0": 10 });
  }
  const home = join(scratch.path, "home");
  const userNpmrc = npmrc(home);
  cluster = await Cluster.create({
    configToml: CONFIG + modelConfig(model.url),
    files: {
      "package.json": MANIFEST,
      "package-lock.json": readFileSync(join(dev, "package-lock.json"), "utf8"),
      "CHANGELOG.md": CHANGELOG,
      "src/a.txt": "one\ntwo\nthree\n",
      "src/b.ts": "export const one = 1;\n",
      "src/c.txt": "fruit\napple\n",
      ".gitignore": "node_modules/\n",
      ".pushpals/policy.toml": POLICY,
    },
    env: { HOME: home, NPM_CONFIG_USERCONFIG: userNpmrc, npm_config_userconfig: userNpmrc, PUSHPALS_DEPENDENCY_STEWARD_SCAN_EVERY_SECONDS: "3600", TEST_MODEL_KEY: MODEL_KEY, PATH: `${driverBin}:${process.env.PATH}` },
  });
  await cluster.startServer();
  await cluster.startWorker("w1");
  await cluster.startAgents();
  await cluster.startRemoteAgent();
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  await registry?.stop();
  model?.stop();
  scratch.cleanup();
  rmSync(driverBin, { recursive: true, force: true });
});

describe("the Conflict Resolver", () => {
  test("two PRs bumping different dependencies in one package.json and lockfile both merge; a frozen install passes on the result", async () => {
    const [a, b] = await waitFor("two steward PRs", async () => {
      const open = (await prs()).filter((p) => p.role === "dependency_steward" && p.state === "open");
      return open.length === 2 && open.sort((x, y) => x.number - y.number);
    });
    expect((await merge(a!.number)).state).toBe("merged");
    // Nobody asks to merge b: the server's dry merge onto the moved base finds the conflict, the PR
    // follow-up is a work item, and the Conflict Resolver's resolution becomes the PR's head.
    const resolved = await waitFor("PR b resolved", async () => {
      const p = await pr(b!.number);
      return p.headSha !== b!.headSha && p;
    }, 120_000);
    expect(resolved.lastMergeFailure).toBeNull();
    expect(resolved.conflict ?? null).toBeNull();
    expect(resolved.baseSha).toBe(git(["rev-parse", "main"]));
    expect(git(["rev-list", "--parents", "-n", "1", resolved.headSha]).split(" ")).toEqual([resolved.headSha, b!.headSha, resolved.baseSha]);
    expect(resolved.checks.state).toBe("passed");
    expect(resolved.body).toContain("`package.json`: json");
    expect(resolved.body).toContain("`package-lock.json`: lockfile");
    // The old head is kept, and the PR's diff against its new base is only its own change.
    expect(git(["for-each-ref", "--format=%(objectname)", "refs/pushpals/kept/"]).split("\n")).toContain(b!.headSha);
    expect(resolved.files.map((f) => f.path).sort()).toEqual(["package-lock.json", "package.json"]);
    const item = await waitFor("the conflict item done", async () => (await items()).find((i) => i.type === "pr_conflict" && i.title.startsWith(`PR #${b!.number} `) && i.state === "done"));
    expect(item.detail.specialist).toBe("conflict-resolver");

    await reviewed(b!.number);
    const landed = await merge(b!.number);
    expect(landed.state).toBe("merged");
    const manifest = JSON.parse(git(["show", "main:package.json"])) as { dependencies: Record<string, string> };
    expect(manifest.dependencies).toEqual({ "lib-a": "^1.1.0", "lib-b": "^1.1.0" });
    const lock = JSON.parse(git(["show", "main:package-lock.json"])) as { packages: Record<string, { version?: string }> };
    expect([lock.packages["node_modules/lib-a"]!.version, lock.packages["node_modules/lib-b"]!.version]).toEqual(["1.1.0", "1.1.0"]);
    // The merge ran the checks (npm ci, then requiring both) on the exact commit that landed.
    expect(landed.merge?.checks.state).toBe("passed");
  }, 300_000);

  test("a changelog conflict keeps both entries, the PR's first", async () => {
    const first = run("note one", "sed -i 's/^## Unreleased$/## Unreleased\\n\\n- entry one/' CHANGELOG.md", "CHANGELOG.md");
    const second = run("note two", "sed -i 's/^## Unreleased$/## Unreleased\\n\\n- entry two/' CHANGELOG.md", "CHANGELOG.md");
    await reviewed(first);
    expect((await merge(first)).state).toBe("merged");
    const resolved = await waitFor("the changelog resolved", async () => {
      const p = await pr(second);
      return p.lastMergeFailure === null && p.body.includes("`CHANGELOG.md`: changelog") && p;
    }, 120_000);
    expect(git(["show", `${resolved.headSha}:CHANGELOG.md`])).toBe("# Changelog\n\n## Unreleased\n\n- entry two\n- entry one\n\n## 1.0.0\n\n- first");
  }, 240_000);

  test("a change both sides made to the same line goes to a person with its hunks; the PR is not touched", async () => {
    const mine = run("two becomes deux", "sed -i 's/^two$/deux/' src/a.txt", "src/**");
    const theirs = run("two becomes zwei", "sed -i 's/^two$/zwei/' src/a.txt", "src/**");
    await reviewed(mine);
    expect((await merge(mine)).state).toBe("merged");
    const before = await pr(theirs);
    const blocked = await waitFor("the conflict item blocked", async () => {
      const item = (await items()).find((i) => i.type === "pr_conflict" && i.title.startsWith(`PR #${theirs} `));
      return item?.state === "blocked" && item;
    }, 120_000);
    expect(blocked.escalation).toBe("ambiguous");
    expect(blocked.question).toContain("src/a.txt");
    expect(blocked.question).toContain("<<<<<<< ");
    expect(blocked.question).toContain("zwei");
    expect(blocked.question).toContain("deux");
    // The model was asked last, and declined: its reason is on the file.
    expect(blocked.question).toContain("the model did not resolve it: both sides renamed the same word differently");
    const after = await pr(theirs);
    expect(after.headSha).toBe(before.headSha);
    expect(after.conflict?.files).toEqual(["src/a.txt"]);
    // A merge asked for anyway ends `conflict`, naming the file, and moves nothing.
    expect((await merge(theirs)).lastMergeFailure).toContain("src/a.txt");

    // The report counts them: two resolved automatically (the manifest and lockfile, the changelog), one left to a person.
    const report = JSON.parse(cluster.cli(["report", "--json"]).stdout) as { mergeability: { resolved: number; byStrategy: Record<string, number>; manualInterventions: number } };
    expect(report.mergeability).toMatchObject({ resolved: 2, byStrategy: { lockfile: 1, json: 1, changelog: 1 }, manualInterventions: 1 });
    expect(cluster.cli(["report"]).stdout).toContain("conflicts resolved automatically: 2 (files by strategy: lockfile 1, json 1, changelog 1); left to a person: 1");
    expect(git(["rev-parse", after.headBranch])).toBe(before.headSha);
  }, 240_000);

  test("a file git's line merge leaves conflicted is merged again by the structured merge driver on PATH, in the sandbox", async () => {
    const mine = run("add two", "printf 'export const two = 2;\\n' >> src/b.ts", "src/**");
    const theirs = run("add three", "printf 'export const three = 3;\\n' >> src/b.ts", "src/**");
    await reviewed(mine);
    expect((await merge(mine)).state).toBe("merged");
    const resolved = await waitFor("src/b.ts resolved", async () => {
      const p = await pr(theirs);
      return p.body.includes("`src/b.ts`: structured") && p.checks.state === "passed" && p;
    }, 120_000);
    expect(git(["show", `${resolved.headSha}:src/b.ts`])).toBe("export const one = 1;\nexport const three = 3;\nexport const two = 2;");
  }, 240_000);

  test("with a model configured, a conflict no other strategy resolves is merged by it, checked, and the PR is at least Medium", async () => {
    const mine = run("add pear", "printf 'pear\\n' >> src/c.txt", "src/**");
    const theirs = run("add plum", "printf 'plum\\n' >> src/c.txt", "src/**");
    await reviewed(mine);
    expect((await merge(mine)).state).toBe("merged");
    const resolved = await waitFor("src/c.txt merged by the model", async () => {
      const p = await pr(theirs);
      return p.body.includes("`src/c.txt`: model") && p.checks.state === "passed" && p;
    }, 120_000);
    expect(git(["show", `${resolved.headSha}:src/c.txt`])).toBe("fruit\napple\npear\nplum");
    expect(resolved.risk).toBe("medium");
    // The model saw the three sides and both sides' intent as data; the key went in its header only.
    const asked = model.completions().at(-1)!;
    expect(asked.messages.at(-1)!.content).toContain("- add plum");
    expect(asked.headers.authorization).toBe(`Bearer ${MODEL_KEY}`);
    expect(model.remaining()).toBe(0);
  }, 240_000);

  test("attack: a conflict over a symbolic link is a person's, never merged through the link (nor sent to the model)", async () => {
    git(["reset", "-q", "--hard", "main"]);
    symlinkSync("a.txt", join(cluster.root, "src", "link"));
    git(["add", "src/link"]);
    git(["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "a link"]);
    const asked = model.completions().length;
    const mine = run("link to b", "ln -sfn b.ts src/link", "src/**");
    const theirs = run("link to c", "ln -sfn c.txt src/link", "src/**");
    const before = await pr(theirs);
    await reviewed(mine);
    expect((await merge(mine)).state).toBe("merged");
    const blocked = await waitFor("the link conflict blocked", async () => {
      const item = (await items()).find((i) => i.type === "pr_conflict" && i.title.startsWith(`PR #${theirs} `));
      return item?.state === "blocked" && item;
    }, 120_000);
    expect(blocked.question).toContain("src/link");
    expect(blocked.question).toContain("a conflict over a symbolic link: a person decides");
    expect(model.completions().length).toBe(asked);
    expect((await pr(theirs)).headSha).toBe(before.headSha);
  }, 240_000);

  test("a conflicted file holding a credential is never sent to the model: a person decides", async () => {
    const asked = model.completions().length;
    // The credential is the repository's own (a person committed it); the PR and the base then change the line below it.
    const person = (text: string, message: string) => {
      git(["reset", "-q", "--hard", "main"]);
      writeFileSync(join(cluster.root, "src", "d.txt"), text);
      git(["add", "src/d.txt"]);
      git(["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", message]);
    };
    const token = `ghp_${"x".repeat(36)}`;
    person(`auth=${token}\nbase\n`, "a config");
    const theirs = run("pr line", "sed -i 's/^base$/pr/' src/d.txt", "src/**");
    person(`auth=${token}\nmain\n`, "main line");
    const blocked = await waitFor("the secret's conflict blocked", async () => {
      const item = (await items()).find((i) => i.type === "pr_conflict" && i.title.startsWith(`PR #${theirs} `));
      return item?.state === "blocked" && item;
    }, 120_000);
    expect(blocked.question).toContain("it holds what looks like a credential, so the model was not asked; left for a person");
    expect(model.completions().length).toBe(asked);
  }, 240_000);
});
