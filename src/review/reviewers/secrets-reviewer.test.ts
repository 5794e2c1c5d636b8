import { rules as recommended } from "@secretlint/secretlint-rule-preset-recommend";
import type { SecretLintRuleCreator } from "@secretlint/types";
import { expect, test } from "bun:test";
import { changedFile, inputFor, newFile } from "../review-fixture.ts";
import { FAKE, fakeBytes, fakeChars, fakePem } from "./secret-fakes.ts";
import { activeRuleIds } from "./secretlint-rules.ts";
import { secretsReviewer } from "./secrets-reviewer.ts";

const HEX = "0123456789abcdef";

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
    ["env_file", "block", ".env.production", 1],
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

test("every scanner rule of secretlint's recommended preset runs, bar the comment filter", () => {
  const preset = (recommended as SecretLintRuleCreator[]).filter((rule) => rule.meta.type === "scanner").map((rule) => rule.meta.id.replace("@secretlint/secretlint-rule-", ""));
  expect(preset.length).toBeGreaterThan(20);
  expect(activeRuleIds()).toEqual(preset.filter((id) => id !== "filter-comments"));
});

const uuid = [fakeChars(8, 50, HEX), fakeChars(4, 51, HEX), `4${fakeChars(3, 52, HEX)}`, `a${fakeChars(3, 53, HEX)}`, fakeChars(12, 54, HEX)].join("-");
const sha = fakeChars(40, 55, HEX);
const integrity = fakeBytes(64, 56).toString("base64");
const png = Buffer.concat([Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"), fakeBytes(300, 57)]).toString("base64");
const notJwt = [{ typ: "x", v: 1 }, { a: 1, b: 2 }].map((part) => Buffer.from(JSON.stringify(part)).toString("base64url")).concat(fakeChars(20, 61)).join(".");
const publicKey = fakePem("PUBLIC KEY", Buffer.concat([Buffer.from("30820122300d06092a864886f70d01010105000382010f00", "hex"), fakeBytes(270, 58)]));

test("references, placeholders, hashes, ids, images and templates stay clean", async () => {
  const diff =
    newFile("src/settings.ts", [
      "const token = process.env.GITHUB_TOKEN;",
      "const apiKey: string = process.env.API_KEY!;",
      'const placeholder = { token: "<your-token>", password: "xxxxxxxxxxxx", secret: "changeme" };',
      `const headSha = "${sha}";`,
      `const requestId = "${uuid}";`,
      `const idempotencyKey = "${uuid}";`,
      'const cacheKey = "user-profile-v2-2024";',
      `const logo = "data:image/png;base64,${png}";`,
      "const headers = { Authorization: `Bearer ${token}` };",
      'const db = "postgres://app:${DB_PASSWORD}@db.internal/app";',
      'const cache = "redis://:changeme@localhost:6379";',
      'const local = "postgres://app:changeme@localhost/app";',
      'const auth = { Authorization: "Bearer YOUR_TOKEN_GOES_HERE_1" };',
      `const notJwt = "${notJwt}";`,
      `const stripePublishableKey = "pk_live_${fakeChars(24, 59)}";`,
      'const grant = { token: "access_token" };',
      "const token = crypto.randomUUID();",
      'const body = pem.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "");',
      "const classificationInputFromGitRepository2 = 1;",
    ]) +
    newFile("src/auth.test.ts", ['test("refreshes the access token before it expires", async () => {', 'it("token: rejects a revoked one", () => {});']) +
    newFile(".github/workflows/ci.yml", ["env:", "  GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}", "  NPM_TOKEN: $NPM_TOKEN"]) +
    newFile("scripts/release.sh", ["export GH_TOKEN=$GITHUB_TOKEN", 'export NPM_TOKEN="${NPM_TOKEN:?}"']) +
    newFile("pnpm-lock.yaml", ["  /left-pad@1.3.0:", `    resolution: {integrity: sha512-${integrity}}`]) +
    newFile("package-lock.json", [`      "integrity": "sha512-${integrity}",`, `      "resolved": "git+ssh://git@github.com/acme/lib.git#${sha}"`]) +
    newFile(".pre-commit-config.yaml", ["repos:", "  - repo: https://github.com/acme/hooks", `    rev: ${sha}`]) +
    newFile("keys/server.pub.pem", publicKey) +
    newFile(".env.example", ["# copy to .env", "PORT=3000", "LOG_LEVEL=debug", "GITHUB_TOKEN=", "API_KEY=<your-api-key>", 'DB_PASSWORD=""', "SESSION_SECRET=changeme", "DATABASE_URL=postgres://app:${DB_PASSWORD}@localhost/app"]) +
    newFile(".envrc", ["export FEATURE=on", "use flake"]);
  expect(await secretsReviewer.review(inputFor(diff))).toEqual([]);
});

test("a line with several secrets gets one finding, the known format over the heuristic", async () => {
  const line = `GITHUB_TOKEN="${FAKE.githubToken}" DEPLOY_TOKEN="${fakeChars(32, 60)}"`;
  const findings = await secretsReviewer.review(inputFor(newFile("scripts/ci.sh", [line])));
  expect(findings.map((f) => [f.rule, f.severity, f.line])).toEqual([["secretlint/github", "block", 1]]);
});

test("a split or encoded secret's finding says how it was hidden, and only that", async () => {
  const token = FAKE.githubToken;
  const diff = newFile("src/split.ts", [`const a = "${token.slice(0, 10)}" + "${token.slice(10)}";`, `const b = "${Buffer.from(token).toString("base64")}";`]);
  const findings = await secretsReviewer.review(inputFor(diff));
  expect(findings.map((f) => [f.line, f.message])).toEqual([
    [1, "adds a secret (GITHUB_TOKEN), split into pieces, to src/split.ts; the value is not shown"],
    [2, "adds a secret (GITHUB_TOKEN), base64-encoded, to src/split.ts; the value is not shown"],
  ]);
});
