import { afterAll, expect, test } from "bun:test";
import { parseDiff } from "./parse-diff.ts";
import { tempRepo } from "./review-fixture.ts";
import { ReviewInput } from "./review-types.ts";
import { buildVerdict, runReview } from "./run-review.ts";

const repo = tempRepo();
afterAll(repo.cleanup);
const AWS_KEY_ID = ["AKIA", "Z5RT8WQ3MN7KL2XP"].join("");

const base = repo.commit({ "src/app.ts": "export const a = 1;\n", "src/app.test.ts": 'test("a", () => expect(1).toBe(1));\n' });

async function review(files: Record<string, string | null>) {
  const head = repo.commit(files);
  const diff = await parseDiff(repo.root, base, head);
  const input = ReviewInput.parse({ baseSha: base, headSha: head, files: diff, checks: { state: "passed", sha: head }, rules: { scope: ["src/**"], maxFileBytes: 100_000 } });
  return buildVerdict(input, await runReview(input), "p");
}

test("a clean change in scope with green checks on its head is approved", async () => {
  const verdict = await review({ "src/app.ts": "export const a = 2;\n" });
  expect(verdict).toMatchObject({ decision: "approve", findings: [] });
});

test("an AWS key planted in a real diff blocks the PR with its file and line", async () => {
  const verdict = await review({ "src/app.ts": `export const a = 2;\nexport const region = "eu-west-1";\nexport const key = "${AWS_KEY_ID}";\n` });
  expect(verdict.decision).toBe("block");
  expect(verdict.findings.map((f) => [f.reviewer, f.rule, f.severity, f.file, f.line])).toEqual([["secrets", "secretlint/aws", "block", "src/app.ts", 3]]);
  expect(JSON.stringify(verdict)).not.toContain(AWS_KEY_ID);
});
