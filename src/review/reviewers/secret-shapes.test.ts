import { expect, test } from "bun:test";
import { changedFile, inputFor, newFile } from "../review-fixture.ts";
import { FAKE, fakeChars, fakeOpenSshBinary, fakePem, fakePgpBlock, fakeRsaDer } from "./secret-fakes.ts";
import { secretsReviewer } from "./secrets-reviewer.ts";

type Expected = [rule: string, severity: "block" | "request_changes", line: number];

interface Shape {
  name: string;
  path: string;
  lines: string[];
  expected: Expected[];
  /** The value no finding may contain; defaults to the first fake used. */
  secret: string;
  /** A hand-written diff instead of a new file holding `lines`. */
  diff?: string;
}

const GH = FAKE.githubToken;
const [GH_A, GH_B] = [GH.slice(0, 14), GH.slice(14)];
const RSA = fakePem("RSA PRIVATE KEY", fakeRsaDer());
const RSA_BODY = RSA.slice(1, -1);
const block = (rule: string, line = 1): Expected => [rule, "block", line];
const heuristic = (line = 1): Expected => ["generic_secret_assignment", "request_changes", line];
const b64 = (text: string, encoding: BufferEncoding = "base64") => Buffer.from(text).toString(encoding);

const KNOWN_FORMATS: Shape[] = [
  { name: "GitHub token, double-quoted TS", path: "src/gh.ts", lines: [`const t = "${GH}";`], expected: [block("secretlint/github")], secret: GH },
  { name: "GitHub token, single-quoted Python", path: "tools/gh.py", lines: [`TOKEN = '${GH}'`], expected: [block("secretlint/github")], secret: GH },
  { name: "GitHub fine-grained token, unquoted YAML", path: "deploy/values.yaml", lines: ["github:", `  token: ${FAKE.githubFineGrained}`], expected: [block("secretlint/github", 2)], secret: FAKE.githubFineGrained },
  { name: "GitLab personal token in JSON", path: "config/ci.json", lines: ["{", `  "gitlab": "${FAKE.gitlabToken}"`, "}"], expected: [block("secretlint/gitlab", 2)], secret: FAKE.gitlabToken },
  { name: "GitLab pipeline trigger token", path: "scripts/trigger.sh", lines: [`curl -F token=${FAKE.gitlabTrigger} https://gitlab.example/api`], expected: [block("gitlab_token")], secret: FAKE.gitlabTrigger },
  { name: "GitLab runner token in TOML", path: "runner/config.toml", lines: ["[[runners]]", `  token = "${FAKE.gitlabRunner}"`], expected: [block("gitlab_token", 2)], secret: FAKE.gitlabRunner },
  { name: "Slack bot token in a shell script", path: "scripts/notify.sh", lines: [`export SLACK_BOT_TOKEN='${FAKE.slackBot}'`], expected: [block("secretlint/slack")], secret: FAKE.slackBot },
  { name: "Slack incoming webhook", path: "src/notify.ts", lines: [`const hook = "${FAKE.slackWebhook}";`], expected: [block("secretlint/slack")], secret: FAKE.slackWebhook },
  { name: "Slack configuration token", path: "src/slack.ts", lines: [`const config = { token: "${FAKE.slackConfig}" };`], expected: [block("slack_token")], secret: FAKE.slackConfig },
  { name: "Slack workflow webhook", path: "src/workflow.ts", lines: [`await fetch("${FAKE.slackWorkflow}");`], expected: [block("slack_webhook")], secret: FAKE.slackWorkflow },
  { name: "Stripe secret key in a template literal", path: "src/pay.ts", lines: ["const stripe = new Stripe(`" + FAKE.stripeSecret + "`);"], expected: [block("stripe_secret_key")], secret: FAKE.stripeSecret },
  { name: "Stripe restricted key", path: "src/pay.ts", lines: [`stripe.setKey("${FAKE.stripeRestricted}")`], expected: [block("stripe_restricted_key")], secret: FAKE.stripeRestricted },
  { name: "npm token in .npmrc", path: ".npmrc", lines: [`//registry.npmjs.org/:_authToken=${FAKE.npmToken}`], expected: [block("secretlint/npm")], secret: FAKE.npmToken },
  { name: "RSA private key (PEM)", path: "keys/id_rsa.pem", lines: RSA, expected: [block("secretlint/privatekey")], secret: RSA[2] ?? "" },
  { name: "OpenSSH private key", path: "keys/id_ed25519", lines: fakePem("OPENSSH PRIVATE KEY", fakeOpenSshBinary()), expected: [block("secretlint/privatekey")], secret: fakePem("OPENSSH PRIVATE KEY", fakeOpenSshBinary())[2] ?? "" },
  { name: "PGP private key block with armor headers", path: "keys/signing.asc", lines: fakePgpBlock(), expected: [block("private_key")], secret: fakePgpBlock()[4] ?? "" },
  { name: "encrypted PKCS#8 private key", path: "keys/enc.pem", lines: fakePem("ENCRYPTED PRIVATE KEY", fakeRsaDer(33)), expected: [block("private_key")], secret: fakePem("ENCRYPTED PRIVATE KEY", fakeRsaDer(33))[2] ?? "" },
  { name: "PEM key in a JSON string with \\n escapes", path: "config/sa.json", lines: [`{"private_key": "${fakePem("PRIVATE KEY", fakeRsaDer(34)).join("\\n")}\\n"}`], expected: [block("secretlint/privatekey")], secret: fakePem("PRIVATE KEY", fakeRsaDer(34))[2] ?? "" },
  { name: "PostgreSQL URL with a password", path: "src/db.ts", lines: [`const url = "postgres://app:${FAKE.dbPassword}@db.internal:5432/app";`], expected: [block("secretlint/database-connection-string")], secret: FAKE.dbPassword },
  { name: "MongoDB SRV URL with a password", path: "config/db.yaml", lines: [`uri: mongodb+srv://app:${FAKE.dbPassword}@cluster0.abcde.mongodb.net/app`], expected: [block("secretlint/database-connection-string")], secret: FAKE.dbPassword },
  { name: "Redis URL with a password", path: "config/cache.yaml", lines: [`url: "redis://:${FAKE.dbPassword}@cache.internal:6379/0"`], expected: [block("database_url_password")], secret: FAKE.dbPassword },
  { name: "AMQP URL with a password", path: "src/queue.py", lines: [`BROKER = "amqps://worker:${FAKE.dbPassword}@mq.internal/jobs"`], expected: [block("database_url_password")], secret: FAKE.dbPassword },
  { name: "SQLAlchemy driver URL with a password", path: "src/settings.py", lines: [`DATABASE_URL = "postgresql+asyncpg://app:${FAKE.dbPassword}@db/app"`], expected: [block("database_url_password")], secret: FAKE.dbPassword },
  { name: "JWT in a header", path: "src/client.ts", lines: [`headers.set("x-session", "${FAKE.jwt}");`], expected: [block("jwt")], secret: FAKE.jwt },
  { name: "SendGrid API key", path: "src/mail.ts", lines: [`sg.setApiKey("${FAKE.sendgrid}");`], expected: [block("secretlint/sendgrid")], secret: FAKE.sendgrid },
  { name: "Google API key", path: "web/maps.html", lines: [`<script src="https://maps.googleapis.com/maps/api/js?key=${FAKE.googleApiKey}"></script>`], expected: [block("google_api_key")], secret: FAKE.googleApiKey },
  { name: "Twilio API key", path: "src/sms.ts", lines: [`const sid = "${FAKE.twilioApiKey}";`], expected: [block("twilio_api_key")], secret: FAKE.twilioApiKey },
  { name: "Azure storage connection string", path: "appsettings.json", lines: [`{ "Storage": "${FAKE.azureConnection}" }`], expected: [block("azure_storage_key")], secret: FAKE.azureConnection.split("Key=")[1] ?? "" },
  { name: "literal bearer token", path: "src/api.ts", lines: [`const headers = { Authorization: "Bearer ${FAKE.bearer}" };`], expected: [["bearer_token", "request_changes", 1]], secret: FAKE.bearer },
];

const RANDOM = fakeChars(32, 40);
const ENTROPY: Shape[] = [
  { name: "apiKey in TS", path: "src/a.ts", lines: [`const apiKey = '${RANDOM}';`], expected: [heuristic()], secret: RANDOM },
  { name: "clientSecret in JSON", path: "config/oauth.json", lines: ["{", `  "clientSecret": "${RANDOM}"`, "}"], expected: [heuristic(2)], secret: RANDOM },
  { name: "api_secret unquoted in YAML", path: "config/app.yml", lines: ["service:", `  api_secret: ${RANDOM}`], expected: [heuristic(2)], secret: RANDOM },
  { name: "signing_key in TOML", path: "config/app.toml", lines: [`signing_key = "${RANDOM}"`], expected: [heuristic()], secret: RANDOM },
  { name: "password in ini", path: "config/db.ini", lines: ["[db]", `password = ${FAKE.password}`], expected: [heuristic(2)], secret: FAKE.password },
  { name: "*_TOKEN exported in shell", path: "scripts/deploy.sh", lines: [`export DEPLOY_TOKEN=${RANDOM}`], expected: [heuristic()], secret: RANDOM },
  { name: "apiKey split with +", path: "src/k.js", lines: [`const apiKey = "${RANDOM.slice(0, 10)}" +`, `  "${RANDOM.slice(10)}";`], expected: [heuristic()], secret: RANDOM },
  { name: "typed webhookSecret in TS", path: "src/hook.ts", lines: [`const webhookSecret: string = "${RANDOM}";`], expected: [heuristic()], secret: RANDOM },
];

const ENV_FILES: Shape[] = [
  { name: ".env with any value", path: ".env", lines: ["# local", "PORT=3000"], expected: [block("env_file", 2)], secret: "3000" },
  { name: ".env.production with a password", path: "app/.env.production", lines: [`DB_PASSWORD="${FAKE.password}"`], expected: [block("env_file"), heuristic()], secret: FAKE.password },
  { name: "foo.env", path: "deploy/staging.env", lines: ["REGION=eu-west-1"], expected: [block("env_file")], secret: "eu-west-1" },
  { name: "env file name in another case", path: ".ENV.Local", lines: ["export FEATURE=on"], expected: [block("env_file")], secret: "=on" },
  { name: ".env.example with a real value under a secret name", path: ".env.example", lines: ["API_KEY=", "PORT=3000", "SESSION_SECRET=hunter2hunter"], expected: [block("env_file", 3)], secret: "hunter2hunter" },
  { name: ".env.sample with a random-looking value under any name", path: "web/.env.sample", lines: ["PORT=3000", "RELEASE_ID=q7Zr2XbL9mKp4Wd8"], expected: [block("env_file", 2)], secret: "q7Zr2XbL9mKp4Wd8" },
];

const rsaInJs = RSA.map((l, i) => `  "${l}\\n"${i === RSA.length - 1 ? ";" : " +"}`);
const PEM_B64 = b64(`${RSA.join("\n")}\n`);
const SPLIT_AND_ENCODED: Shape[] = [
  { name: "token concatenated on one line", path: "src/c.ts", lines: [`const t = "${GH_A}" + "${GH_B}";`], expected: [block("secretlint/github")], secret: GH },
  { name: "token split over two lines with +", path: "src/c.ts", lines: ["const x = 1;", `const token = "${GH_A}" +`, `  "${GH_B}";`], expected: [block("secretlint/github", 2)], secret: GH },
  { name: "token from template pieces", path: "src/c.ts", lines: ["const t = `" + GH_A + '${"' + GH_B + '"}`;'], expected: [block("secretlint/github")], secret: GH },
  { name: "token from template literals joined by +", path: "src/c.js", lines: ["const t = `" + GH_A + "` + `" + GH_B + "`;"], expected: [block("secretlint/github")], secret: GH },
  { name: "Python implicit concatenation across lines", path: "src/c.py", lines: ["TOKEN = (", `    "${GH_A}"`, `    "${GH_B}"`, ")"], expected: [block("secretlint/github", 2)], secret: GH },
  { name: "backslash continuation inside quotes", path: "scripts/c.sh", lines: [`export GH_TOKEN="${GH_A}\\`, `${GH_B}"`], expected: [block("secretlint/github")], secret: GH },
  { name: "backslash continuation unquoted", path: "scripts/c.sh", lines: [`GH_TOKEN=${GH_A}\\`, `${GH_B}`], expected: [block("secretlint/github")], secret: GH },
  { name: "Stripe key concatenated", path: "src/pay.ts", lines: [`const key = "${FAKE.stripeSecret.slice(0, 8)}" + "${FAKE.stripeSecret.slice(8)}";`], expected: [block("stripe_secret_key")], secret: FAKE.stripeSecret },
  { name: "PEM key as concatenated JS strings", path: "src/key.ts", lines: ["export const key =", ...rsaInJs], expected: [block("private_key", 2)], secret: RSA[2] ?? "" },
  { name: "base64 of a GitHub token in a Kubernetes secret", path: "k8s/secret.yaml", lines: ["data:", `  token: ${b64(GH)}`], expected: [block("secretlint/github", 2)], secret: b64(GH) },
  { name: "base64url of a GitHub token", path: "src/b.ts", lines: [`const blob = "${b64(`token=${GH}`, "base64url")}";`], expected: [block("secretlint/github")], secret: b64(`token=${GH}`, "base64url") },
  { name: "hex of a GitHub token", path: "src/h.ts", lines: [`const blob = "${b64(GH, "hex")}";`], expected: [block("secretlint/github")], secret: b64(GH, "hex") },
  { name: "base64 of a PEM key", path: "k8s/tls.yaml", lines: ["data:", `  tls.key: ${PEM_B64}`], expected: [block("secretlint/privatekey", 2)], secret: PEM_B64.slice(0, 40) },
  { name: "base64 of a PEM key wrapped at 76 columns", path: "certs/key.b64", lines: PEM_B64.match(/.{1,76}/g) ?? [], expected: [block("secretlint/privatekey")], secret: PEM_B64.slice(0, 40) },
  { name: "base64 of .env content", path: "src/boot.ts", lines: [`const env = atob("${b64(`DB_PASSWORD=${FAKE.password}\n`)}");`], expected: [heuristic()], secret: FAKE.password },
  {
    name: "PEM block added inside a changed file's hunk",
    path: "config/keys.yaml",
    lines: [],
    diff: changedFile("config/keys.yaml", `@@ -3,0 +4,${RSA.length + 1} @@\n+deploy_key: |\n${RSA.map((l) => `+  ${l}`).join("\n")}\n`),
    expected: [block("secretlint/privatekey", 5)],
    secret: RSA[2] ?? "",
  },
  {
    name: "PEM body replaced while BEGIN and END lines stay",
    path: "keys/id_rsa.pem",
    lines: [],
    diff: changedFile("keys/id_rsa.pem", `@@ -2,2 +2,${RSA_BODY.length} @@\n-old\n-lines\n${RSA_BODY.map((l) => `+${l}`).join("\n")}\n`),
    expected: [block("private_key", 2)],
    secret: RSA_BODY[0] ?? "",
  },
];

for (const [group, shapes] of Object.entries({ KNOWN_FORMATS, ENTROPY, ENV_FILES, SPLIT_AND_ENCODED })) {
  for (const shape of shapes) {
    test(`${group}: ${shape.name}`, async () => {
      const findings = await secretsReviewer.review(inputFor(shape.diff ?? newFile(shape.path, shape.lines)));
      expect(findings.map((f) => [f.rule, f.severity, f.line])).toEqual(shape.expected);
      expect(findings.every((f) => f.file === shape.path && f.reviewer === "secrets")).toBe(true);
      expect(JSON.stringify(findings)).not.toContain(shape.secret);
    });
  }
}
