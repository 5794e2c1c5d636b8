/**
 * Cost of reviewing a PR's exact diff: `parseDiff` (git diff --raw --numstat, the -U0 patch, blob sizes)
 * plus every built-in reviewer (`runReview`, secretlint included) on a synthetic change of 50 files and
 * 2,000 changed lines (1,000 added, 1,000 removed) between two commits of a temp repository. Median and
 * p99 over --runs, after two warm-up runs (the first also loads the tests reviewer's TypeScript parser). The
 * 10 test files' full text is loaded and parsed, as in a real review. The target covers the policy's risk classifier too: its time
 * goes where marked below.
 * Run: bun bench/classify-review.ts [--runs=20]
 */
import { classifyRisk } from "../src/policy/classify-risk.ts";
import { classificationInputFromGit } from "../src/policy/from-git.ts";
import { DEFAULT_POLICY } from "../src/policy/policy-defaults.ts";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDiff } from "../src/review/parse-diff.ts";
import { reviewContentsFor } from "../src/review/review-contents.ts";
import { ReviewInput, ReviewRules } from "../src/review/review-types.ts";
import { decide, runReview } from "../src/review/run-review.ts";
import { numArg, percentile, verdict } from "./bench-util.ts";

const TARGET_MS = 200;
const FILES = 50;
const LINES_PER_FILE = 60;
const CHANGED_PER_FILE = 20;
const runs = Math.max(5, numArg("runs", 20));

function git(cwd: string, ...args: string[]): string {
  const identity = ["-c", "user.name=PushPals Bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false"];
  const r = Bun.spawnSync(["git", ...identity, ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString().trim()}`);
  return r.stdout.toString().trim();
}

const fileName = (i: number) => (i % 5 === 0 ? `src/mod${i}/feature${i}.test.ts` : `src/mod${i}/feature${i}.ts`);

function source(i: number, version: number): string {
  const lines: string[] = [];
  for (let l = 0; l < LINES_PER_FILE; l++) {
    const changed = l % 3 === 0 && l / 3 < CHANGED_PER_FILE;
    const tag = changed ? version : 0;
    lines.push(
      i % 5 === 0
        ? `test("case ${l} v${tag}", () => expect(compute${l}(${tag})).toBe(${l * tag}));`
        : `export function compute${l}(input: number): number { return input * ${l} + ${tag}; /* feature ${i} line ${l} */ }`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function writeVersion(repo: string, version: number): string {
  for (let i = 0; i < FILES; i++) {
    const path = join(repo, fileName(i));
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, source(i, version));
  }
  git(repo, "add", "-A");
  git(repo, "commit", "-q", "-m", `version ${version}`);
  return git(repo, "rev-parse", "HEAD");
}

/** The ReviewAgent's classification of the same change (git numstat, manifests and patches, then the rules). */
async function classify(repo: string, base: string, head: string): Promise<void> {
  classifyRisk(await classificationInputFromGit(repo, base, head, "low"), DEFAULT_POLICY);
}

const repo = mkdtempSync(join(tmpdir(), "pushpals-bench-review-"));
try {
  git(repo, "init", "-q", "-b", "main");
  const base = writeVersion(repo, 0);
  const head = writeVersion(repo, 1);
  const rules = ReviewRules.parse({ scope: ["src/**"], maxFileBytes: 1_000_000, maxFiles: 100, maxChangedLines: 5_000 });

  const once = async () => {
    const started = performance.now();
    await classify(repo, base, head);
    const classified = performance.now();
    // As the review handler does: both sides of test files are loaded for the tests reviewer's parser.
    const files = await parseDiff(repo, base, head, { contentsFor: reviewContentsFor() });
    const parsed = performance.now();
    const input: ReviewInput = { baseSha: base, headSha: head, files, checks: { state: "passed", sha: head }, rules, role: null };
    const findings = await runReview(input);
    const done = performance.now();
    return { total: done - started, classify: classified - started, parse: parsed - classified, review: done - parsed, files, findings };
  };

  const first = await once();
  const changed = first.files.reduce((n, f) => n + f.hunks.reduce((m, h) => m + h.added.length + h.removed.length, 0), 0);
  if (first.files.length !== FILES || changed !== FILES * CHANGED_PER_FILE * 2) throw new Error(`unexpected diff: ${first.files.length} files, ${changed} lines`);
  console.log(`diff: ${first.files.length} files, ${changed} changed lines; decision ${decide(first.findings)} (${first.findings.length} findings)`);
  await once();

  const total: number[] = [];
  const parse: number[] = [];
  const review: number[] = [];
  const classifyTimes: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = await once();
    total.push(t.total);
    classifyTimes.push(t.classify);
    parse.push(t.parse);
    review.push(t.review);
  }
  const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 0.5);
  const p99 = percentile([...total].sort((a, b) => a - b), 0.99);
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  console.log(
    `classifier + parseDiff + reviewers (${runs} runs): median ${ms(median(total))} (classifier ${ms(median(classifyTimes))}, parseDiff ${ms(median(parse))}, reviewers ${ms(median(review))}), p99 ${ms(p99)}`,
  );
  verdict(median(total) < TARGET_MS, `classification and deterministic review median ${ms(median(total))} (target < ${TARGET_MS} ms)`);
} finally {
  rmSync(repo, { recursive: true, force: true });
}
