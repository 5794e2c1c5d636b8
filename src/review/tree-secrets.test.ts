import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempRepo } from "./review-fixture.ts";
import { FAKE } from "./reviewers/secret-fakes.ts";
import { scanTreeSecrets } from "./tree-secrets.ts";

// Built at run time so this file holds no literal credential.
const AWS_KEY_ID = ["AKIA", "Q7XK2M4PLR8WZ3TN"].join("");
const repo = tempRepo();
afterAll(() => repo.cleanup());

test("the whole committed tree is scanned from git objects: file, line and rule, never the value; binary and large blobs said", async () => {
  const commit = repo.commit({
    "README.md": "# app\n",
    "src/deploy.ts": `const region = "eu-west-1";\n\nconst accessKeyId = "${AWS_KEY_ID}";\n`,
    "config/ci.env.txt": `GITHUB_TOKEN=${FAKE.githubToken}\n`,
    "assets/logo.png": new Uint8Array([137, 80, 78, 71, 0, 0, 0, 13, 1, 2, 3]),
    "data/big.json": `${"x".repeat(2048)}\n`,
  });
  // The working tree is not what is audited: a secret written after the commit is not seen.
  writeFileSync(join(repo.root, "late.ts"), `const k = "${AWS_KEY_ID}";\n`);
  const scan = await scanTreeSecrets(repo.root, commit, { maxBlobBytes: 1024 });
  expect(scan.findings.map((f) => [f.check, f.rule, f.severity, f.file, f.line])).toEqual([
    ["secrets", "secretlint/github", "high", "config/ci.env.txt", 1],
    ["secrets", "secretlint/aws", "high", "src/deploy.ts", 3],
  ]);
  expect(scan.findings[1]!.message).toBe("src/deploy.ts:3 holds a secret (AWSAccessKeyID); the value is not shown");
  expect(scan.findings[1]!.fixHint).toContain("rotate it now");
  const text = JSON.stringify(scan);
  for (const secret of [AWS_KEY_ID, AWS_KEY_ID.slice(4), FAKE.githubToken]) expect(text).not.toContain(secret);
  expect(scan.scanned.files).toBe(3);
  expect(scan.notes).toEqual(["secrets: 1 blob(s) over 1 KiB not scanned: data/big.json", "secrets: 1 binary blob(s) not scanned: assets/logo.png"]);
  expect(scan.complete).toBe(true);
});

test("past the file cap the rest is not scanned, and the scan says it is incomplete", async () => {
  const commit = repo.commit({ "a.txt": "a\n", "b.txt": "b\n", "c.txt": "c\n" });
  const scan = await scanTreeSecrets(repo.root, commit, { maxFiles: 2 });
  expect(scan.scanned.files).toBe(2);
  expect(scan.complete).toBe(false);
  expect(scan.notes.at(-1)).toMatch(/file\(s\) past the scan's caps \(2 files/);
});
