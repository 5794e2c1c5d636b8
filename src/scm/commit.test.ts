import { afterAll, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { makeRepo } from "../../test/helpers/cluster.ts";
import { JobFailure } from "../core/job-failure.ts";
import { commitWorktree, commitMessage } from "./commit.ts";
import { ScopeDenied, type ScopeRule } from "./scope.ts";
import { addJobCheckout, type JobCheckout } from "./worktree.ts";
import { runtimePathsFor } from "../runtime-dir/paths.ts";

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups) c();
});

const LONG = Array.from({ length: 40 }, (_, i) => `export const line${i} = ${i};`).join("\n") + "\n";
const FILES = { "src/a.ts": "export const a = 1;\n", "src/b.ts": "export const b = 2;\n", "src/old-name.ts": LONG, "docs/guide.md": "# guide\n" };
const RULES = { scope: ["src/**"], maxFileBytes: 2000 };
const TRAILERS = { "PushPals-Job": "job_0123456789abcdef", "PushPals-Risk": "low" };

/** Job checkouts by their files' directory: git on one runs with its host git dir, as PushPals's does. */
const checkouts = new Map<string, JobCheckout>();
const co = (wt: string) => checkouts.get(wt)!;

function run(cwd: string, ...args: string[]): string {
  const c = checkouts.get(cwd);
  const location = c && args[0] !== "init" ? [`--git-dir=${c.gitDir}`, `--work-tree=${c.dir}`] : [];
  const r = Bun.spawnSync(["git", ...location, ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

/** A job checkout, like the worker creates. */
async function worktree(files: Record<string, string> = {}): Promise<{ root: string; wt: string }> {
  const repo = await makeRepo({ files: { ...FILES, ...files } });
  cleanups.push(repo.cleanup);
  const c = await addJobCheckout(repo.paths, "job_00000000000000000000000000000001", 1, "HEAD");
  checkouts.set(c.dir, c);
  return { root: repo.root, wt: c.dir };
}

function write(dir: string, path: string, content: string | Uint8Array): void {
  mkdirSync(join(dir, path, ".."), { recursive: true });
  writeFileSync(join(dir, path), content);
}

function countFiles(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? countFiles(join(dir, e.name)) : 1), 0);
}

/** Everything a rejected commit must leave as it was. */
function snapshot(root: string, wt: string) {
  const index = run(wt, "rev-parse", "--git-path", "index").trim();
  return {
    head: run(wt, "rev-parse", "HEAD"),
    index: Bun.hash(readFileSync(resolve(wt, index))).toString(),
    // Not `git status`: it would read files through the attributes under test.
    untracked: run(wt, "ls-files", "-z", "--others"),
    objects: countFiles(join(root, ".git", "objects")),
  };
}

async function denied(root: string, wt: string, rules = RULES): Promise<ScopeDenied> {
  const before = snapshot(root, wt);
  const err = await commitWorktree(co(wt), { rules, message: "x", trailers: TRAILERS }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ScopeDenied);
  expect(snapshot(root, wt)).toEqual(before);
  return err as ScopeDenied;
}

function rules(err: ScopeDenied): Record<string, ScopeRule> {
  return Object.fromEntries(err.violations.map((v) => [v.path, v.rule]));
}

test("an in-scope change commits every added, modified, deleted and renamed file, as the agent, with trailers", async () => {
  const { root, wt } = await worktree();
  const marker = join(root, "..", `${Date.now()}-hook`);
  writeFileSync(join(root, ".git/hooks/pre-commit"), `#!/bin/sh\ntouch '${marker}'\n`);
  chmodSync(join(root, ".git/hooks/pre-commit"), 0o755);
  const parent = run(wt, "rev-parse", "HEAD").trim();
  write(wt, "src/new.ts", "export const n = 3;\n");
  write(wt, "src/a.ts", "export const a = 10;\n");
  rmSync(join(wt, "src/b.ts"));
  renameSync(join(wt, "src/old-name.ts"), join(wt, "src/new-name.ts"));
  chmodSync(join(wt, "src/a.ts"), 0o755);

  const result = await commitWorktree(co(wt), { rules: RULES, message: "Tidy the src folder\n\nBody text.", trailers: TRAILERS });

  expect(result.parent).toBe(parent);
  expect(run(wt, "rev-parse", "HEAD").trim()).toBe(result.commit);
  expect(Bun.spawnSync(["git", "symbolic-ref", "-q", "HEAD"], { cwd: wt }).exitCode).not.toBe(0); // still detached
  const byPath = Object.fromEntries(result.files.map((f) => [f.path, f]));
  expect(byPath["src/new.ts"]).toMatchObject({ status: "added", mode: "100644" });
  expect(byPath["src/a.ts"]).toMatchObject({ status: "modified", oldMode: "100644", mode: "100755" });
  expect(byPath["src/b.ts"]).toMatchObject({ status: "deleted" });
  expect(byPath["src/new-name.ts"]).toMatchObject({ status: "renamed", oldPath: "src/old-name.ts" });
  expect(result.files).toHaveLength(4);
  expect(run(wt, "diff-tree", "-r", "-M", "--name-status", parent, result.commit)).toBe(
    "M\tsrc/a.ts\nD\tsrc/b.ts\nR100\tsrc/old-name.ts\tsrc/new-name.ts\nA\tsrc/new.ts\n",
  );
  expect(run(wt, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%s").trim()).toBe("PushPals <pushpals@localhost.invalid>|PushPals <pushpals@localhost.invalid>|Tidy the src folder");
  const message = run(wt, "log", "-1", "--format=%B");
  const trailers = Bun.spawnSync(["git", "interpret-trailers", "--parse"], { stdin: new TextEncoder().encode(message), stdout: "pipe" });
  expect(trailers.stdout.toString()).toBe("PushPals-Job: job_0123456789abcdef\nPushPals-Risk: low\n");
  expect(existsSync(marker)).toBe(false);
});

test("a custom identity and in-scope symlinks are committed", async () => {
  const { wt } = await worktree();
  symlinkSync("a.ts", join(wt, "src/alias.ts"));
  const result = await commitWorktree(co(wt), { rules: RULES, message: "link", trailers: {}, identity: { name: "Bot", email: "bot@example.invalid" } });
  expect(result.files).toEqual([expect.objectContaining({ path: "src/alias.ts", mode: "120000", symlinkTarget: "a.ts" })]);
  expect(run(wt, "log", "-1", "--format=%an <%ae>").trim()).toBe("Bot <bot@example.invalid>");
});

test("a file outside the scope is refused, naming it, and nothing is staged or written", async () => {
  const { root, wt } = await worktree();
  write(wt, "src/a.ts", "export const a = 10;\n");
  write(wt, "docs/guide.md", "# changed\n");
  write(wt, "notes.txt", "new\n");
  const err = await denied(root, wt);
  expect(err.failureClass).toBe("policy_denied");
  expect(err.offendingPaths.sort()).toEqual(["docs/guide.md", "notes.txt"]);
  expect(err.message).toContain("docs/guide.md");
  expect(err.toFailure().evidence.logExcerpt).toBe('"docs/guide.md" out_of_scope: is modified outside the write scope\n"notes.txt" out_of_scope: is added outside the write scope');
});

test("an empty scope allows nothing; a renamed file needs both of its paths in scope", async () => {
  const { root, wt } = await worktree();
  write(wt, "src/a.ts", "export const a = 10;\n");
  expect(rules(await denied(root, wt, { scope: [], maxFileBytes: 1000 }))).toEqual({ "src/a.ts": "out_of_scope" });
  run(wt, "checkout", "--", "src/a.ts");
  renameSync(join(wt, "docs/guide.md"), join(wt, "src/guide.md"));
  expect(rules(await denied(root, wt))).toEqual({ "docs/guide.md": "out_of_scope" });
});

test("symlinks out of the worktree, or to a file outside the scope, are refused", async () => {
  const { root, wt } = await worktree();
  symlinkSync("/etc/passwd", join(wt, "src/passwd"));
  symlinkSync("../../../../../../../../etc/passwd", join(wt, "src/climb"));
  symlinkSync("../docs/guide.md", join(wt, "src/guide.md"));
  symlinkSync("../.git", join(wt, "src/gitdir"));
  expect(rules(await denied(root, wt))).toEqual({
    "src/passwd": "symlink_escape",
    "src/climb": "symlink_escape",
    "src/guide.md": "symlink_out_of_scope",
    "src/gitdir": "symlink_out_of_scope",
  });
});

test(".gitattributes written, ignored or changed anywhere is refused before git reads any file (no filter runs)", async () => {
  const { root, wt } = await worktree({ ".gitattributes": "*.ts text\n" });
  const marker = join(root, "..", `${Date.now()}-filter`);
  run(root, "config", "filter.evil.clean", `touch '${marker}'; cat`);
  write(wt, "src/.gitattributes", "*.ts filter=evil\n");
  write(wt, "src/a.ts", "export const a = 10;\n");
  expect(rules(await denied(root, wt, { scope: ["**"], maxFileBytes: 1000 }))).toEqual({ "src/.gitattributes": "gitattributes" });
  expect(existsSync(marker)).toBe(false);

  mkdirSync(join(root, ".git/info"), { recursive: true });
  writeFileSync(join(root, ".git/info/exclude"), ".gitattributes\n");
  expect(rules(await denied(root, wt, { scope: ["**"], maxFileBytes: 1000 }))).toEqual({ "src/.gitattributes": "gitattributes" });
  rmSync(join(wt, "src/.gitattributes"));
  write(wt, ".gitattributes", "*.ts filter=evil\n");
  expect(rules(await denied(root, wt, { scope: ["**"], maxFileBytes: 1000 }))).toEqual({ ".gitattributes": "gitattributes" });
  expect(existsSync(marker)).toBe(false);

  run(root, `--work-tree=${wt}`, "add", "-A"); // the fixture is real: plain git, with the repository's config, runs the filter
  expect(existsSync(marker)).toBe(true);
});

test("a nested repository, with or without commits, and a changed submodule are refused", async () => {
  const { root, wt } = await worktree();
  run(wt, "init", "-q", "src/empty-nested");
  run(wt, "init", "-q", "src/nested");
  write(wt, "src/nested/x.ts", "x\n");
  run(join(wt, "src/nested"), "add", "x.ts");
  run(join(wt, "src/nested"), "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "x");
  expect(rules(await denied(root, wt))).toEqual({ "src/empty-nested": "submodule", "src/nested": "submodule" });

  // A gitlink already in HEAD whose checked-out commit the job moves.
  const sub = join(root, "src/sub");
  run(root, "init", "-q", "src/sub");
  write(root, "src/sub/y.ts", "y\n");
  run(sub, "add", "y.ts");
  run(sub, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "y");
  run(root, "add", "src/sub");
  run(root, "commit", "-qm", "add a submodule");
  const second = await addJobCheckout(runtimePathsFor(root, join(root, ".git")), "job_00000000000000000000000000000002", 1, "HEAD");
  checkouts.set(second.dir, second);
  const wt2 = second.dir;
  rmSync(join(wt2, "src/sub"), { recursive: true });
  expect(rules(await denied(root, wt2))).toEqual({ "src/sub": "submodule" });
});

test("an executable bit set on a file outside the scope is refused", async () => {
  const { root, wt } = await worktree();
  chmodSync(join(wt, "docs/guide.md"), 0o755);
  write(wt, "src/a.ts", "export const a = 10;\n");
  expect(rules(await denied(root, wt))).toEqual({ "docs/guide.md": "mode_change_out_of_scope" });
});

test("files over maxFileBytes are refused, new ones before they are hashed", async () => {
  const { root, wt } = await worktree();
  write(wt, "src/big.bin", new Uint8Array(2001));
  expect(rules(await denied(root, wt))).toEqual({ "src/big.bin": "file_too_large" });
  rmSync(join(wt, "src/big.bin"));
  write(wt, "src/a.ts", "x".repeat(2500));
  expect(rules(await denied(root, wt))).toEqual({ "src/a.ts": "file_too_large" });
});

test("no change, or only ignored files, is no_change", async () => {
  const { root, wt } = await worktree();
  const noChange = async () => {
    const err = await commitWorktree(co(wt), { rules: RULES, message: "x", trailers: TRAILERS }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobFailure);
    expect((err as JobFailure).failureClass).toBe("no_change");
  };
  await noChange();
  writeFileSync(join(root, ".git/info/exclude"), "*.log\n");
  write(wt, "src/debug.log", "ignored\n");
  await noChange();
});

test("paths with spaces, unicode and newlines are committed and refused exactly", async () => {
  const { root, wt } = await worktree();
  const inScope = "src/new\nline file ü.ts";
  write(wt, inScope, "export {};\n");
  write(wt, "docs/we ird\nname é.md", "x\n");
  expect(rules(await denied(root, wt))).toEqual({ "docs/we ird\nname é.md": "out_of_scope" });
  rmSync(join(wt, "docs/we ird\nname é.md"));
  const result = await commitWorktree(co(wt), { rules: RULES, message: "odd names", trailers: TRAILERS });
  expect(result.files.map((f) => f.path)).toEqual([inScope]);
  expect(run(wt, "ls-tree", "-z", "--name-only", "HEAD", "src/").split("\0")).toContain(inScope);
});

test("bad inputs: a scope glob climbing out, a trailer with a newline", async () => {
  const { wt } = await worktree();
  write(wt, "src/a.ts", "export const a = 10;\n");
  const climb = await commitWorktree(co(wt), { rules: { scope: ["../**"], maxFileBytes: 10 }, message: "x", trailers: {} }).catch((e: unknown) => e);
  expect((climb as JobFailure).failureClass).toBe("invalid_input");
  expect(() => commitMessage("x", { "PushPals-Job": "a\nEvil: yes" })).toThrow(/bad value/);
  expect(() => commitMessage("x", { "Bad Key": "v" })).toThrow(/trailer name/);
  expect(commitMessage("Title\r\n\r\nBody\n\n", { A: "1" })).toBe("Title\n\nBody\n\nA: 1\n");
});
