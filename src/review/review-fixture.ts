/** For tests only: review inputs built from hand-written unified diffs. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { z } from "zod";
import type { DiffFile } from "./diff-types.ts";
import { ReviewInput, ReviewRules, type ReviewChecks } from "./review-types.ts";
import { parseUnifiedDiff } from "./unified-diff.ts";

export const BASE = "b".repeat(40);
export const HEAD = "a".repeat(40);

export interface InputOptions {
  rules?: Partial<z.input<typeof ReviewRules>>;
  checks?: ReviewChecks;
  role?: string | null;
  /** Both sides of files whose reviewers read whole contents (package.json), by path. */
  contents?: Record<string, { old: string | null; new: string | null }>;
}

export function inputFor(diff: string | DiffFile[], options: InputOptions = {}): ReviewInput {
  const files = typeof diff === "string" ? parseUnifiedDiff(diff) : diff;
  for (const file of files) {
    const contents = options.contents?.[file.path];
    if (contents) file.contents = contents;
  }
  return ReviewInput.parse({
    baseSha: BASE,
    headSha: HEAD,
    files,
    checks: options.checks ?? { state: "passed", sha: HEAD },
    rules: ReviewRules.parse({ scope: ["**"], maxFileBytes: 1_000_000, ...options.rules }),
    role: options.role ?? null,
  });
}

/** A diff adding `path` with these lines. */
export function newFile(path: string, lines: string[]): string {
  return [`diff --git a/${path} b/${path}`, "new file mode 100644", `--- /dev/null`, `+++ b/${path}`, `@@ -0,0 +1,${lines.length} @@`, ...lines.map((l) => `+${l}`), ""].join("\n");
}

/** A diff deleting `path`, which had these lines. */
export function deletedFile(path: string, lines: string[]): string {
  return [`diff --git a/${path} b/${path}`, "deleted file mode 100644", `--- a/${path}`, "+++ /dev/null", `@@ -1,${lines.length} +0,0 @@`, ...lines.map((l) => `-${l}`), ""].join("\n");
}

/** A diff changing `path` with hand-written hunks (`@@ ... @@` headers and their lines). */
export function changedFile(path: string, hunks: string): string {
  return [`diff --git a/${path} b/${path}`, `--- a/${path}`, `+++ b/${path}`, hunks.replace(/\n$/, ""), ""].join("\n");
}

export interface TempRepo {
  root: string;
  /** Writes (string or bytes) or deletes (null) files, commits them all, returns the new commit id. */
  commit(files: Record<string, string | Uint8Array | null>): string;
  git(...args: string[]): string;
  cleanup(): void;
}

export function tempRepo(): TempRepo {
  const root = mkdtempSync(join(tmpdir(), "pushpals-review-"));
  const git = (...args: string[]): string => {
    const identity = ["-c", "user.name=Review Test", "-c", "user.email=review@example.invalid", "-c", "commit.gpgsign=false"];
    const r = Bun.spawnSync(["git", ...identity, ...args], { cwd: root, stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString().trim()}`);
    return r.stdout.toString().trim();
  };
  git("init", "-q", "-b", "main");
  return {
    root,
    git,
    commit(files) {
      for (const [path, content] of Object.entries(files)) {
        if (content === null) {
          rmSync(join(root, path), { force: true });
          continue;
        }
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), content);
      }
      git("add", "-A");
      git("commit", "-q", "--allow-empty", "-m", "change");
      return git("rev-parse", "HEAD");
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
