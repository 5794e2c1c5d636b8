import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Job } from "../src/store/jobs/job-rows.ts";
import type { PullRequest } from "../src/prs/pr-types.ts";
import { Cluster } from "./helpers/cluster.ts";
import { inTurn, lanes } from "./helpers/lanes.ts";
import { writeNpmFixture } from "./helpers/npm-fixture.ts";
import { tempDir } from "./helpers/temp.ts";

// Issue #11, end to end with real processes, real bwrap and real git: whatever a job's command leaves
// in its checkout, nothing on the host trusts it. Each attack's marker lives outside the sandbox
// (/var/tmp is read-only in there), so a marker that exists means host-side code ran the attacker's command.

const scratch = tempDir("pushpals-leftovers-");
const marker = (name: string) => join(scratch.path, `host-ran-${name}`);

function git(root: string, args: string[]): string {
  const r = Bun.spawnSync(["git", ...args], { cwd: root, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
}

async function run(c: Cluster, scope: string, command: string): Promise<{ job: Job; pr: PullRequest | null; logs: string }> {
  const r = await c.cliAsync(["run", "--json", "--scope", scope, "--title", "leftovers", "--", command]);
  const out = JSON.parse(r.stdout) as { job: Job; pr: PullRequest | null };
  return { ...out, logs: (await c.cliAsync(["logs", out.job.id])).stdout };
}

// Each group of tests has its own cluster and repository (its tests take it in turn), and mostly waits on
// it: the groups run concurrently, two tests at a time.
const lane = lanes(2);
const started: Cluster[] = [];
afterAll(async () => {
  // What a test that timed out never stopped.
  await Promise.all(started.map((c) => c.stop()));
  scratch.cleanup();
});

async function newCluster(options: Parameters<typeof Cluster.create>[0]): Promise<Cluster> {
  const c = await Cluster.create(options);
  started.push(c);
  return c;
}

/** The server, one WorkerPal and the agents (a run's PR is reviewed before `pushpals run` answers). */
async function startAll(c: Cluster): Promise<Cluster> {
  await c.startServer();
  await c.startWorker("w1");
  await c.startAgents();
  return c;
}

describe("host git never runs with metadata a command wrote", () => {
  const onCluster = inTurn(lane, 3, async () => startAll(await newCluster({ files: { "src/a.txt": "one\n" } })));

  test.concurrent("a rewritten .git/config (fsmonitor, hooks, filters, includes) is refused and never runs", onCluster(async (c) => {
    const evil = [
      "[core]",
      `\tfsmonitor = "touch ${marker("fsmonitor")}; false"`,
      "\thooksPath = .evil-hooks",
      "\trepositoryformatversion = 0",
      `[filter "x"]\n\tclean = "touch ${marker("filter")}; cat"`,
      "[include]\n\tpath = ../evil.cfg",
    ].join("\n");
    const command = [
      `printf '%s\\n' '${evil.replace(/'/g, "'\\''")}' > .git/config`,
      `mkdir -p .evil-hooks && printf '#!/bin/sh\\ntouch ${marker("hook")}\\n' > .evil-hooks/pre-commit && chmod +x .evil-hooks/pre-commit`,
      "echo changed >> src/a.txt",
    ].join(" && ");
    const { job, pr } = await run(c, "src/**", command);
    expect(job.state).toBe("failed");
    expect(job.failure).toMatchObject({ class: "policy_denied", message: expect.stringContaining(".git/config") });
    expect(pr).toBeNull();
    for (const name of ["fsmonitor", "filter", "hook"]) expect(existsSync(marker(name))).toBe(false);
  }), lane.queuedTimeout(30_000 + 60_000));

  test.concurrent("a .git replaced by a link to a git dir of the command's making is refused and never read", onCluster(async (c) => {
    const command = [
      "git init -q evil && cp -r evil/.git ./evilgit && rm -rf evil",
      `git --git-dir=evilgit config core.fsmonitor "touch ${marker("gitfile")}; false"`,
      "rm -rf .git && echo 'gitdir: ./evilgit' > .git",
      "echo changed >> src/a.txt",
    ].join(" && ");
    const { job } = await run(c, "src/**", command);
    expect(job.state).toBe("failed");
    expect(job.failure).toMatchObject({ class: "policy_denied", message: expect.stringContaining(".git directory") });
    expect(existsSync(marker("gitfile"))).toBe(false);
  }), lane.queuedTimeout(30_000 + 60_000));

  test.concurrent("git a command uses for its own work (add, commit) does not stop its change", onCluster(async (c) => {
    const { job, pr } = await run(c, "src/**", "echo more >> src/a.txt && git add -A && git -c user.name=x -c user.email=x@x commit -qm mine");
    expect(job.state).toBe("succeeded");
    expect(pr?.files.map((f) => f.path)).toEqual(["src/a.txt"]);
  }), lane.queuedTimeout(30_000 + 60_000));
});

describe("checks run on the commit, not on what the command left", () => {
  // Green on the base; on a change to src/a.txt each passes only if what the command left counted.
  const CONFIG = `
[[checks.commands]]
name = "built"
run = "test -f dist/ok || ! grep -q changed src/a.txt"

[[checks.commands]]
name = "lint"
run = "PATH=\\"$PWD/.tools:$PATH\\" lint-it 2>/dev/null || ! grep -q changed src/a.txt"
`;
  const onCluster = inTurn(lane, 2, async () => startAll(await newCluster({ configToml: CONFIG, files: { "src/a.txt": "one\n", ".gitignore": "dist/\n.tools/\n" } })));

  test.concurrent("an ignored build output and a planted executable on PATH do not make a green check", onCluster(async (c) => {
    const command = "mkdir -p dist .tools && touch dist/ok && printf '#!/bin/sh\\nexit 0\\n' > .tools/lint-it && chmod +x .tools/lint-it && echo changed >> src/a.txt";
    const { job, pr, logs } = await run(c, "src/**", command);
    expect(job.state).toBe("failed");
    expect(job.failure?.class).toBe("checks_failed");
    expect(pr).toBeNull();
    // Both checks ran on a fresh checkout of the commit, and both failed there.
    expect(logs).toMatch(/built: exit 1 /);
    expect(logs).toMatch(/lint: exit 1 /);
    expect(logs).toContain("the failures are this change's");
  }), lane.queuedTimeout(30_000 + 60_000));

  test.concurrent("a verdict names the commit and the tree it ran on", onCluster(async (c) => {
    const passing = `
[[checks.commands]]
name = "content"
run = "grep -q one src/a.txt"
`;
    writeFileSync(join(c.root, ".pushpals", "config.toml"), passing);
    git(c.root, ["commit", "-qam", "simpler checks"]);
    const { job, pr } = await run(c, "src/**", "echo two >> src/a.txt");
    expect(job.state).toBe("succeeded");
    expect(pr!.checks).toMatchObject({ state: "passed", sha: pr!.headSha, tree: git(c.root, ["rev-parse", `${pr!.headSha}^{tree}`]) });
  }), lane.queuedTimeout(30_000 + 60_000));
});

describe("a command sees only its own commit's objects", () => {
  const onCluster = inTurn(lane, 1, async () => {
    const c = await newCluster({ files: { "src/a.txt": "one\n" } });
    git(c.root, ["remote", "add", "origin", "https://x-access-token:ghp_REMOTESECRET0123456789@github.com/o/r.git"]);
    git(c.root, ["checkout", "-q", "-b", "other"]);
    writeFileSync(join(c.root, "other.txt"), "BRANCH_SECRET\n");
    git(c.root, ["add", "other.txt"]);
    git(c.root, ["commit", "-qm", "other"]);
    git(c.root, ["checkout", "-q", "main"]);
    writeFileSync(join(c.root, "README.md"), "STASH_SECRET\n");
    git(c.root, ["stash", "-q"]);
    writeFileSync(join(c.root, "staged.txt"), "STAGED_SECRET\n");
    git(c.root, ["add", "staged.txt"]);
    return startAll(c);
  });

  test.concurrent("no remote URL, index, stash, other ref or other blob is reachable; status, diff and log still work", onCluster(async (c) => {
    const otherBlob = git(c.root, ["rev-parse", "other:other.txt"]);
    const base = git(c.root, ["rev-parse", "main"]);
    const probes = [
      "git config --list",
      "git for-each-ref",
      "git stash list",
      "git show :staged.txt",
      `git cat-file -p ${otherBlob}`,
      "git log --all --format=%s",
      "cat ../../../../config ../../../config ../../config 2>/dev/null",
      "find / -name staged.txt -o -name ORIG_HEAD 2>/dev/null | head",
    ];
    const command = [
      ...probes.map((p) => `{ ${p}; } >> src/leak.txt 2>&1 || true`),
      `echo "head=$(git log -1 --format=%H)" >> src/leak.txt`,
      "git status --porcelain >> src/leak.txt",
      "git diff --stat HEAD >> src/leak.txt",
    ].join("; ");
    const { job, pr } = await run(c, "src/**", command);
    expect(job.state).toBe("succeeded");
    const leak = git(c.root, ["show", `${pr!.headSha}:src/leak.txt`]);
    for (const secret of ["REMOTESECRET", "github.com", "BRANCH_SECRET", "STASH_SECRET", "STAGED_SECRET", "refs/heads/other", "refs/stash"]) expect(leak).not.toContain(secret);
    expect(leak).toContain(`head=${base}`);
    expect(leak).toContain("?? src/leak.txt");
    // The user's index and stash are as they were.
    expect(git(c.root, ["diff", "--cached", "--name-only"])).toBe("staged.txt");
    expect(git(c.root, ["stash", "list"])).toContain("stash@{0}");
  }), lane.queuedTimeout(30_000 + 60_000));
});

describe("the dependency cache holds only what a clean install made", () => {
  const CONFIG = `
[[checks.commands]]
name = "uses-deps"
run = "node -e \\"console.log('tiny-lib says', require('tiny-lib'))\\""
`;
  const entryFile = (c: Cluster) => {
    const cache = c.paths.depsCacheDir;
    const keys = readdirSync(cache).filter((k) => !k.startsWith("."));
    return keys.map((k) => readFileSync(join(cache, k, "node_modules", "tiny-lib", "index.js"), "utf8"));
  };
  const onCluster = inTurn(lane, 1, async () => {
    const home = join(scratch.path, "home");
    mkdirSync(home, { recursive: true });
    const fixture = join(scratch.path, "fixture");
    const files = writeNpmFixture(fixture, join(scratch.path, "npm-cache"), { tarball: true });
    const c = await newCluster({ configToml: CONFIG, files: { ...files, "src/a.txt": "one\n", ".gitignore": "node_modules/\n" }, env: { HOME: home, PUSHPALS_SANDBOX_INSTALL_NETWORK: "false" } });
    mkdirSync(join(c.root, "vendor"), { recursive: true });
    copyFileSync(join(fixture, "vendor", "tiny-lib-1.0.0.tgz"), join(c.root, "vendor", "tiny-lib-1.0.0.tgz"));
    git(c.root, ["add", "-A"]);
    git(c.root, ["commit", "-qm", "tarball"]);
    return startAll(c);
  });

  test.concurrent("a command cannot write into the cached modules, and nothing it adds under node_modules is stored", onCluster(async (c) => {
    const poison = [
      "{ chmod u+w node_modules/tiny-lib/index.js; echo \"module.exports = 'EVIL'\" > node_modules/tiny-lib/index.js; } 2>&1 | head -3",
      "mkdir -p packages/x/node_modules/tiny-lib 2>&1 | head -1",
      "echo \"module.exports = 'EVIL'\" > packages/x/node_modules/tiny-lib/index.js 2>/dev/null",
      "echo changed >> src/a.txt",
    ].join("; ");
    const { job, pr, logs } = await run(c, "src/**", poison);
    expect(job.state).toBe("succeeded");
    expect(logs).toMatch(/Read-only file system/);
    // The checks of the change ran on a fresh checkout with the clean modules.
    expect(logs).toContain("tiny-lib says 42");
    expect(logs).not.toContain("says EVIL");
    expect(pr!.checks.state).toBe("passed");
    expect(entryFile(c)).toEqual(["module.exports = 42;\n"]);

    // A later job on the base gets the clean entry.
    const r = await c.cliAsync(["enqueue", "checks", "--json"]);
    const id: string = JSON.parse(r.stdout).job.id;
    const later = await c.waitForJob(id, (j) => ["succeeded", "failed"].includes(j.state), 60_000);
    expect(later.state).toBe("succeeded");
    const laterLogs = (await c.cliAsync(["logs", id])).stdout;
    expect(laterLogs).toContain("cache hit");
    expect(laterLogs).toContain("tiny-lib says 42");
  }), lane.queuedTimeout(90_000 + 60_000));
});
