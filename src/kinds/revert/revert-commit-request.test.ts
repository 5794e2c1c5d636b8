import { afterAll, expect, test } from "bun:test";
import { isPushpalsError } from "../../core/errors.ts";
import { makeRepo } from "../../../test/helpers/cluster.ts";
import { commitRevertInputFor, commitScope, revertBody, revertTitle, type BisectEvidence } from "./revert-commit-request.ts";
import { RevertInput } from "./revert-input.ts";

const sha = (c: string) => c.repeat(40);
const repos: (() => void)[] = [];
afterAll(() => repos.forEach((cleanup) => cleanup()));

const bisect: BisectEvidence = {
  jobId: "job_0000000000000000000000000000000b",
  check: "unit",
  good: sha("a"),
  bad: sha("b"),
  candidates: 9,
  testId: null,
  steps: [
    { commit: sha("b"), kind: "confirm", outcome: "bad", exitCode: 1, signal: null, durationMs: 30, testStatus: null },
    { commit: sha("c"), kind: "bisect", outcome: "good", exitCode: 0, signal: null, durationMs: 25, testStatus: null },
    { commit: sha("d"), kind: "bisect", outcome: "skip", exitCode: null, signal: "SIGKILL", durationMs: 1000, testStatus: null },
  ],
};

function git(cwd: string, args: string[]): string {
  const r = Bun.spawnSync(["git", ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  return r.stdout.toString().trim();
}

test("the title names the commit's subject and the check it broke, within 200 characters", () => {
  expect(revertTitle("Use the new parser", "unit")).toBe("Revert Use the new parser (broke unit)");
  const long = revertTitle("x".repeat(300), "integration");
  expect(long).toHaveLength(200);
  expect(long.endsWith("… (broke integration)")).toBe(true);
});

test("the scope is the commit's files literally; too many become their top-level folders; more is refused", () => {
  expect(commitScope(["src/[id].ts", "README.md"], sha("c"))).toEqual(["src/\\[id\\].ts", "README.md"]);
  const many = Array.from({ length: 70 }, (_, i) => `pkg${i % 3}/f${i}.ts`);
  expect(commitScope([...many, "top.txt"], sha("c"))).toEqual(["pkg0/**", "pkg1/**", "pkg2/**", "top.txt"]);
  const everywhere = Array.from({ length: 70 }, (_, i) => `d${i}/f.ts`);
  const err = (() => {
    try {
      commitScope(everywhere, sha("c"));
    } catch (e) {
      return e;
    }
  })();
  expect(isPushpalsError(err, "invalid_input")).toBe(true);
  expect(err).toMatchObject({ details: { reason: "scope_too_large" } });
});

test("the body carries the bisect's evidence: every step in a table, and how the commit is undone", () => {
  const body = revertBody({ culprit: sha("e"), subject: "a | b", author: "A <a@example.invalid>", merge: false, baseBranch: "main", baseCommit: sha("f"), bisect });
  expect(body).toContain(`Reverts ${sha("e")} ("a | b", by A <a@example.invalid>): bisect job ${bisect.jobId} found it`);
  expect(body).toContain(`Searched 9 commit(s) after ${sha("a")} (the last where it passed) up to ${sha("b")}`);
  expect(body).toContain(`| confirm | \`${sha("b").slice(0, 12)}\` | bad | 1 | - | 30 ms |`);
  expect(body).toContain(`| 1 | \`${sha("c").slice(0, 12)}\` | good | 0 | - | 25 ms |`);
  expect(body).toContain(`| 2 | \`${sha("d").slice(0, 12)}\` | skip | SIGKILL | - | 1000 ms |`);
  expect(body).toContain(`Undone with \`git revert --no-commit ${sha("e")}\` on main at ${sha("f")}`);
  const merge = revertBody({ culprit: sha("e"), subject: "Merge x", author: "A", merge: true, baseBranch: "main", baseCommit: sha("f"), bisect: { ...bisect, testId: "t > adds" } });
  expect(merge).toContain(`-m 1 ${sha("e")}`);
  expect(merge).toContain('judged by the test "t > adds"');
});

test("the input: from the repository, a PR number or a culprit, exactly one", async () => {
  const repo = await makeRepo({ files: { "src/a.txt": "one\n" } });
  repos.push(repo.cleanup);
  const parent = git(repo.root, ["rev-parse", "HEAD"]);
  git(repo.root, ["mv", "src/a.txt", "src/b.txt"]);
  git(repo.root, ["commit", "-q", "-m", "Rename a to b"]);
  const culprit = git(repo.root, ["rev-parse", "HEAD"]);
  const input = RevertInput.parse(await commitRevertInputFor(repo.root, { culprit, bisect, baseBranch: "main", baseCommit: culprit }));
  expect(input).toMatchObject({ prNumber: null, mergedSha: culprit, previousBaseSha: parent, title: "Revert Rename a to b (broke unit)", risk: "medium", role: "codemod", rfc: null, culprit: { check: "unit", bisectJobId: bisect.jobId } });
  expect(input.scope.sort()).toEqual(["src/a.txt", "src/b.txt"]);
  expect(RevertInput.safeParse({ ...input, culprit: null }).success).toBe(false);
  expect(RevertInput.safeParse({ ...input, prNumber: 3 }).success).toBe(false);
  expect(RevertInput.safeParse({ ...input, prNumber: 3, culprit: null }).success).toBe(true);
  // The first commit has nothing to go back to; a commit not on the base has nothing of it there.
  await expect(commitRevertInputFor(repo.root, { culprit: parent, bisect, baseBranch: "main", baseCommit: culprit })).rejects.toMatchObject({ code: "invalid_input", details: { reason: "root_commit" } });
  await expect(commitRevertInputFor(repo.root, { culprit, bisect, baseBranch: "main", baseCommit: parent })).rejects.toMatchObject({ code: "conflict", details: { reason: "not_on_base" } });
});
