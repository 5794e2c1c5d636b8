import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JobFailure } from "../../core/job-failure.ts";
import type { PrProposal } from "../../prs/pr-types.ts";
import type { ChecksAtBase } from "../common/checks-at-base.ts";
import { refactorPayoff } from "./refactor-payoff.ts";

const dir = mkdtempSync(join(tmpdir(), "pushpals-payoff-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const git = (...args: string[]) => Bun.spawnSync(["git", "-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: dir }).stdout.toString().trim();
const CHECKS: ChecksAtBase = { commands: [{ name: "test", run: "true" }], timeoutSeconds: 60, install: { packageManager: "none", allowScripts: false, timeoutSeconds: 60 } };

function commit(files: Record<string, string>): string {
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
  git("add", "-A");
  git("commit", "-qm", "c");
  return git("rev-parse", "HEAD");
}

git("init", "-q");
const DUP = "const a = parse(text);\nif (!a.name) throw new Error('no');\nconst n = a.name.trim();\nreturn n.toLowerCase();\n";
const base = commit({ "lib.js": `function f(text) {\n${DUP}}\nfunction g(text) {\n${DUP}}\n`, "logo.bin": "\u0000\u0001" });

const proposal = (headSha: string, files: PrProposal["files"]) => ({ headSha, files }) as PrProposal;

async function refusal(p: PrProposal): Promise<JobFailure> {
  try {
    await refactorPayoff(dir, p, base, CHECKS);
  } catch (err) {
    if (err instanceof JobFailure) return err;
    throw err;
  }
  throw new Error("expected a refusal");
}

test("attack: a NUL byte that would drop the new side from the measure refuses the refactor", async () => {
  const head = commit({ "lib.js": `// \u0000\nfunction f(text) {\nif (text) {\n${DUP}}\n}\n` });
  const err = await refusal(proposal(head, [{ path: "lib.js", status: "modified" }]));
  expect(err.failureClass).toBe("policy_denied");
  expect(err.message).toContain("lib.js is binary on one side");
});

test("a binary file changed on both sides is no code and is not measured; the rest is", async () => {
  const head = commit({ "lib.js": `function f(text) {\n${DUP}}\nconst g = f;\n`, "logo.bin": "\u0000\u0002" });
  const payoff = await refactorPayoff(dir, proposal(head, [{ path: "lib.js", status: "modified" }, { path: "logo.bin", status: "modified" }]), base, CHECKS);
  expect(payoff.delta.duplicates).toBeLessThan(0);
});

test("a test runner's configuration is part of the tests: a refactor may not change it", async () => {
  const err = await refusal(proposal(base, [{ path: "jest.config.js", status: "added" }]));
  expect(err).toMatchObject({ failureClass: "policy_denied", message: expect.stringContaining("it changes jest.config.js") });
});
