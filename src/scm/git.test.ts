import { afterAll, afterEach, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeRepo } from "../../test/helpers/cluster.ts";
import { tempDir } from "../../test/helpers/temp.ts";
import { git, gitConfigArgs, gitEnv } from "./git.ts";

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups) c();
});

const saved: Record<string, string | undefined> = {};
function setParentEnv(key: string, value: string): void {
  if (!(key in saved)) saved[key] = process.env[key];
  process.env[key] = value;
}
afterEach(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
    delete saved[key];
  }
});

async function repo(): Promise<{ root: string; raw: (...args: string[]) => number }> {
  const r = await makeRepo();
  cleanups.push(r.cleanup);
  const raw = (...args: string[]) => Bun.spawnSync(["git", ...args], { cwd: r.root, stdout: "pipe", stderr: "pipe" }).exitCode ?? -1;
  return { root: r.root, raw };
}

function script(path: string, body: string): string {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

test("a pre-commit hook, in .git/hooks or via core.hooksPath, never runs", async () => {
  const { root, raw } = await repo();
  const marker = join(root, "..", `${Date.now()}-hook-ran`);
  script(join(root, ".git/hooks/pre-commit"), `touch '${marker}'`);
  expect(raw("commit", "-q", "--allow-empty", "-m", "control")).toBe(0);
  expect(existsSync(marker)).toBe(true); // the fixture works with plain git

  Bun.spawnSync(["rm", "-f", marker]);
  await git(["commit", "-q", "--allow-empty", "-m", "through git()"], { cwd: root });
  mkdirSync(join(root, "hooks"));
  script(join(root, "hooks/pre-commit"), `touch '${marker}'`);
  raw("config", "core.hooksPath", join(root, "hooks"));
  await git(["commit", "-q", "--allow-empty", "-m", "through git() with core.hooksPath"], { cwd: root });
  expect(existsSync(marker)).toBe(false);
});

test("a configured core.fsmonitor command never runs", async () => {
  const { root, raw } = await repo();
  const marker = join(root, "..", `${Date.now()}-fsmonitor-ran`);
  raw("config", "core.fsmonitor", script(join(root, "..", `${Date.now()}-fsmonitor.sh`), `touch '${marker}'`));
  raw("status");
  expect(existsSync(marker)).toBe(true); // the fixture works with plain git

  Bun.spawnSync(["rm", "-f", marker]);
  await git(["status", "--porcelain"], { cwd: root });
  expect(existsSync(marker)).toBe(false);
});

test("GIT_DIR, GIT_WORK_TREE and GIT_INDEX_FILE in our environment do not redirect git", async () => {
  const { root } = await repo();
  const other = await repo();
  setParentEnv("GIT_DIR", join(other.root, ".git"));
  setParentEnv("GIT_WORK_TREE", other.root);
  setParentEnv("GIT_INDEX_FILE", join(other.root, "elsewhere-index"));
  const r = await git(["rev-parse", "--absolute-git-dir", "--show-toplevel", "--git-path", "index"], { cwd: root });
  const [gitDir, top, index] = r.stdout.trim().split("\n");
  expect(gitDir).toBe(join(root, ".git"));
  expect(top).toBe(root);
  expect(index).toBe(".git/index");
});

test("no secret, credential socket or GIT_* variable of ours reaches git or what it runs", async () => {
  const { root } = await repo();
  setParentEnv("PUSHPALS_TEST_SECRET_TOKEN", "s3cr3t-value");
  setParentEnv("SSH_AUTH_SOCK", "/tmp/agent.sock");
  setParentEnv("GIT_CONFIG_PARAMETERS", "'core.pager'='touch /tmp/x'");
  // A shell alias runs with exactly the environment git was given.
  const r = await git(["-c", "alias.showenv=!env", "showenv"], { cwd: root });
  expect(r.stdout).not.toContain("s3cr3t-value");
  expect(r.stdout).not.toContain("SSH_AUTH_SOCK");
  expect(r.stdout).not.toContain("core.pager");
  expect(r.stdout).toContain("GIT_TERMINAL_PROMPT=0");
  expect(r.stdout).toContain("GIT_CONFIG_NOSYSTEM=1");
});

test("the environment builder keeps only the allowlist and sets identity and index explicitly", () => {
  const env = gitEnv(
    { identity: { name: "Agent", email: "agent@example.invalid" }, indexFile: "/tmp/idx" },
    { PATH: "/bin", HOME: "/home/u", GITHUB_TOKEN: "ghp_x", GIT_DIR: "/evil", AWS_SECRET_ACCESS_KEY: "k", LANG: "fr_FR.UTF-8" },
  );
  expect(env).toMatchObject({ PATH: "/bin", HOME: "/home/u", LANG: "C", LC_ALL: "C", GIT_INDEX_FILE: "/tmp/idx" });
  expect(env).toMatchObject({ GIT_AUTHOR_NAME: "Agent", GIT_COMMITTER_EMAIL: "agent@example.invalid", GIT_ALLOW_PROTOCOL: "" });
  expect(env.GITHUB_TOKEN).toBeUndefined();
  expect(env.AWS_SECRET_ACCESS_KEY).toBeUndefined();
  expect(env.GIT_DIR).toBeUndefined();
  expect(gitEnv({ allowProtocols: ["ssh", "https"] }, {}).GIT_ALLOW_PROTOCOL).toBe("ssh:https");
  expect(gitConfigArgs({ allowProtocols: ["ssh"] }).join(" ")).not.toContain("protocol.allow");
  expect(() => gitEnv({ allowProtocols: ["ssh:ext"] }, {})).toThrow(/bad git protocol/);
});

test("no transport runs, not even file:// or an ext:: command the repository config allows", async () => {
  const { root, raw } = await repo();
  const other = await repo();
  const marker = join(root, "..", `${Date.now()}-ext-ran`);
  raw("config", "protocol.ext.allow", "always");
  raw("config", "protocol.file.allow", "always");
  const ext = `ext::sh -c touch% ${marker}`;
  raw("ls-remote", ext);
  expect(existsSync(marker)).toBe(true); // the fixture works with plain git

  Bun.spawnSync(["rm", "-f", marker]);
  const viaExt = await git(["ls-remote", ext], { cwd: root, allowFailure: true });
  expect(viaExt.exitCode).not.toBe(0);
  expect(existsSync(marker)).toBe(false);
  const viaFile = await git(["fetch", other.root], { cwd: root, allowFailure: true });
  expect(viaFile.stderr).toContain("not allowed");
  const optedIn = await git(["fetch", "-q", other.root], { cwd: root, allowProtocols: ["file"] });
  expect(optedIn.exitCode).toBe(0);
});

test("identity sets author and committer, over the repository's user.name", async () => {
  const { root } = await repo();
  await git(["commit", "-q", "--allow-empty", "-m", "x"], { cwd: root, identity: { name: "Agent Smith", email: "smith@example.invalid" } });
  const r = await git(["log", "-1", "--format=%an <%ae>|%cn <%ce>"], { cwd: root });
  expect(r.stdout.trim()).toBe("Agent Smith <smith@example.invalid>|Agent Smith <smith@example.invalid>");
});

test("stdin is passed through", async () => {
  const dir = tempDir();
  cleanups.push(dir.cleanup);
  const r = await git(["hash-object", "--stdin"], { cwd: dir.path, stdin: "hello\n" });
  expect(r.stdout.trim()).toBe("ce013625030ba8dba906f756967f9e9ca394464a");
});
