import { expect, test } from "bun:test";
import { changedFile, inputFor, newFile } from "../review-fixture.ts";
import { secretsReviewer } from "./secrets-reviewer.ts";

// Built at run time so this file holds no literal credential for scanners to trip on.
const AWS_KEY_ID = ["AKIA", "Q7XK2M4PLR8WZ3TN"].join("");
const AWS_SECRET = ["wJalrXUtnFEMI/K7MDENG/", "bPxRfiCYzq8Rk2Lw3m"].join("");
const GITHUB_TOKEN = ["ghp_", "wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx"].join("");
const PASSWORD = ["Zk3#9vLq", "!tR7wX2m"].join("");
const PEM_BODY = `MIIEowIBAAKCAQEA${"q3Vb7Xw9Lk2Jm4Np8Rt6Ys1Zc5Ad0Ef".repeat(4)}`;

test("ordinary code, references to secrets and placeholder values pass", async () => {
  const diff =
    newFile("src/config.ts", ["export const password = process.env.DB_PASSWORD;", 'const token = "changeme";', "const apiKey = settings.apiKey;", 'const example = "AKIAIOSFODNN7EXAMPLE";']) +
    changedFile("src/gone.ts", `@@ -1 +0,0 @@\n-const key = "${AWS_KEY_ID}";\n`);
  expect(await secretsReviewer.review(inputFor(diff))).toEqual([]);
});

test("an AWS key planted in a diff is blocked at its file and new line, and the finding never echoes it", async () => {
  const diff = changedFile("src/deploy.ts", `@@ -7 +7,3 @@\n-const region = "x";\n+const region = "eu-west-1";\n+const accessKeyId = "${AWS_KEY_ID}"; // secretlint-disable-line\n+const other = 1;\n`);
  const findings = await secretsReviewer.review(inputFor(diff));
  expect(findings.map((f) => [f.rule, f.severity, f.file, f.line])).toEqual([["secretlint/aws", "block", "src/deploy.ts", 8]]);
  expect(findings[0]?.message).toContain("AWSAccessKeyID");
  expect(JSON.stringify(findings)).not.toContain(AWS_KEY_ID);
  expect(JSON.stringify(findings)).not.toContain(AWS_KEY_ID.slice(4));
});

test("other credential formats block, a literal high-entropy password requests changes, none is echoed", async () => {
  const diff =
    newFile(".env.production", [`AWS_SECRET_ACCESS_KEY="${AWS_SECRET}"`, `GITHUB_TOKEN=${GITHUB_TOKEN}`, `DB_PASSWORD="${PASSWORD}"`]) +
    newFile("keys/id_rsa.pem", ["# key", "-----BEGIN RSA PRIVATE KEY-----", PEM_BODY, "-----END RSA PRIVATE KEY-----"]);
  const findings = await secretsReviewer.review(inputFor(diff));
  expect(findings.map((f) => [f.rule, f.severity, f.file, f.line])).toEqual([
    ["secretlint/aws", "block", ".env.production", 1],
    ["secretlint/github", "block", ".env.production", 2],
    ["generic_secret_assignment", "request_changes", ".env.production", 3],
    ["secretlint/privatekey", "block", "keys/id_rsa.pem", 2],
  ]);
  const text = JSON.stringify(findings);
  for (const secret of [AWS_SECRET, GITHUB_TOKEN, PASSWORD, PEM_BODY.slice(0, 20)]) expect(text).not.toContain(secret);
});

test("scanning leaves no global state behind (no performance marks piling up in a long-running agent)", async () => {
  const before = performance.getEntries().length;
  for (let i = 0; i < 5; i++) await secretsReviewer.review(inputFor(newFile(`src/f${i}.ts`, [`const accessKeyId = "${AWS_KEY_ID}";`])));
  expect(performance.getEntries().length).toBe(before);
});
