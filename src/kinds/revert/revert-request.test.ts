import { expect, test } from "bun:test";
import { isPushpalsError } from "../../core/errors.ts";
import { DEPENDENCY_ROLE } from "../../policy/policy-defaults.ts";
import type { PullRequest } from "../../prs/pr-types.ts";
import { RevertInput } from "./revert-input.ts";
import { landedRange, literalGlob, revertInputFor } from "./revert-request.ts";

const sha = (c: string) => c.repeat(40);

function merged(extra: Partial<PullRequest> = {}): PullRequest {
  return {
    number: 7,
    title: "Format sources",
    body: "",
    baseBranch: "main",
    baseSha: sha("a"),
    headBranch: "pushpals/job_x",
    headSha: sha("b"),
    risk: "low",
    role: "codemod",
    scope: ["src/**"],
    files: [{ path: "src/a.ts", status: "modified" }, { path: "src/c.ts", status: "renamed", oldPath: "src/b.ts" }],
    checks: { state: "passed", sha: sha("b"), results: [] },
    rfcFor: null,
    rfc: null,
    provider: "local",
    remote: null,
    state: "merged",
    jobId: "job_x",
    createdBy: "os:alice",
    createdAt: 1,
    updatedAt: 1,
    mergeJobId: "job_m",
    merge: { mergedSha: sha("c"), previousBaseSha: sha("d"), checks: { state: "passed", sha: sha("c"), results: [] }, rebased: true, checkedOutAt: [] },
    lastMergeFailure: null,
    closedReason: null,
    review: null,
    classification: null,
    approvals: [],
    rejections: [],
    ...extra,
  };
}

function refusal(pr: PullRequest): unknown {
  try {
    landedRange(pr);
  } catch (err) {
    return err;
  }
  return null;
}

test("the revert is built from the PR record: its title, the exact range, its files as the scope, on the base head", () => {
  const input = RevertInput.parse(revertInputFor(merged(), sha("e")));
  expect(input).toMatchObject({ prNumber: 7, title: "Revert #7: Format sources", mergedSha: sha("c"), previousBaseSha: sha("d"), baseBranch: "main", baseCommit: sha("e"), risk: "low", role: "codemod", rfc: null });
  expect(input.scope).toEqual(["src/a.ts", "src/c.ts", "src/b.ts"]);
  expect(input.body).toContain(`merged into main as ${sha("c")}`);
  expect(input.body).toContain(`Revert range: ${sha("d")}..${sha("c")}`);
});

test("its risk is at least the tier the original was classified at; a High one keeps the RFC it carried out", () => {
  const classification = { tier: "high" as const, reasons: [], policyHash: "p" };
  const input = revertInputFor(merged({ risk: "low", classification, rfc: 3 } as Partial<PullRequest>), sha("e"));
  expect(input.risk).toBe("high");
  expect(input.rfc).toBe(3);
  expect(revertInputFor(merged({ risk: "medium" }), sha("e")).risk).toBe("medium");
});

test("a specialist's role is not a person's to give: a revert they ask for gets the ordinary role", () => {
  expect(revertInputFor(merged({ role: DEPENDENCY_ROLE }), sha("e")).role).toBe("codemod");
  expect(revertInputFor(merged({ role: "docs_writer" }), sha("e")).role).toBe("docs_writer");
  expect(revertInputFor(merged({ role: null }), sha("e")).role).toBe("codemod");
});

test("file names are scoped literally; a PR with more files than a scope holds keeps its own scope", () => {
  expect(literalGlob("src/[id]/page{1,2}.tsx")).toBe("src/\\[id\\]/page\\{1,2\\}.tsx");
  expect(new Bun.Glob(literalGlob("src/*.ts")).match("src/*.ts")).toBe(true);
  expect(new Bun.Glob(literalGlob("src/*.ts")).match("src/a.ts")).toBe(false);
  const many = Array.from({ length: 65 }, (_, i) => ({ path: `src/f${i}.ts`, status: "added" }));
  expect(revertInputFor(merged({ files: many }), sha("e")).scope).toEqual(["src/**"]);
});

test("only a PR merged here can be reverted: an open one, and one a remote provider merged, are refused saying why", () => {
  const open = refusal(merged({ state: "open", merge: null }));
  expect(isPushpalsError(open, "conflict")).toBe(true);
  expect(open).toMatchObject({ message: "PR #7 is open: only a merged PR can be reverted", details: { reason: "not_merged" }, hint: expect.stringContaining("pushpals pr close 7") });
  const remote = { provider: "github", number: 12, url: "https://github.com/o/r/pull/12", pushedSha: sha("b") };
  const onGithub = refusal(merged({ provider: "github", remote, merge: { mergedSha: sha("f"), previousBaseSha: null, checks: { state: "passed", sha: sha("b"), results: [] }, rebased: false, checkedOutAt: [] } }));
  expect(isPushpalsError(onGithub, "conflict")).toBe(true);
  expect(onGithub).toMatchObject({ details: { reason: "no_local_merge", provider: "github" } });
  expect((onGithub as Error).message).toContain("was merged on github (https://github.com/o/r/pull/12), so PushPals has no local merge record");
  expect((onGithub as { hint: string }).hint).toContain(`revert ${sha("f").slice(0, 12)}`);
});
