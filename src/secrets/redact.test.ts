import { describe, expect, test } from "bun:test";
import { holdsTokenLikeSecret, REDACTED, redactText, redactValue } from "./redact.ts";

/** redactValue keeps the input's static type; the tests compare against a different shape. */
const redact = (value: unknown): unknown => redactValue(value);

// Fake credentials in the real formats; none of them is live.
const GHP = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";
const GHS = "ghs_16C7e42F292c6912E7710c838347Ae178B4a";
const PAT = "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV";
const NPM = "npm_abcdefghijklmnopqrstuvwxyz0123456789";
const AKIA = "AKIAIOSFODNN7EXAMPLE";
const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
const PEM_RSA = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx4UbaDzY\nq2Vv8QhN0R1b\n-----END RSA PRIVATE KEY-----";
const PEM_OPENSSH = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\n-----END OPENSSH PRIVATE KEY-----";

/** Asserts the text changed, the secret is gone, and the marker is there. */
function expectRedacted(input: string, secret: string, expected?: string): void {
  const out = redactText(input);
  expect(out).not.toContain(secret);
  expect(out).toContain(REDACTED);
  if (expected !== undefined) expect(out).toBe(expected);
}

describe("token formats", () => {
  test("GitHub tokens (ghp_, gho_, ghu_, ghs_, ghr_)", () => {
    expectRedacted(`push with ${GHP}`, GHP, `push with ${REDACTED}`);
    for (const prefix of ["gho", "ghu", "ghs", "ghr"]) {
      const token = `${prefix}_ABCDEFGHIJKLMNOPQRSTUVWX1234`;
      expectRedacted(`GITHUB=${token}`, token);
      expectRedacted(`using ${token} now`, token, `using ${REDACTED} now`);
    }
  });

  test("fine-grained GitHub PATs (github_pat_)", () => {
    expectRedacted(`auth ${PAT}`, PAT, `auth ${REDACTED}`);
    expectRedacted(`"${PAT}"`, PAT, `"${REDACTED}"`);
  });

  test("npm tokens, bare and in .npmrc", () => {
    expectRedacted(`publish ${NPM} done`, NPM, `publish ${REDACTED} done`);
    expectRedacted(`//registry.npmjs.org/:_authToken=${NPM}`, NPM, `//registry.npmjs.org/:_authToken=${REDACTED}`);
  });

  test("AWS access key ids (AKIA/ASIA) and secret keys by name", () => {
    expectRedacted(`key ${AKIA} here`, AKIA, `key ${REDACTED} here`);
    expectRedacted("ASIAIOSFODNN7EXAMPLE", "ASIAIOSFODNN7EXAMPLE", REDACTED);
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    expectRedacted(`aws_secret_access_key = ${secret}`, secret, `aws_secret_access_key = ${REDACTED}`);
    expectRedacted(`AWS_SECRET_ACCESS_KEY=${secret}`, secret);
  });

  test("other provider tokens: GitLab, Slack, model API keys, JWTs", () => {
    for (const token of ["glpat-abcdefghijklmnopqrst", "xoxb-1234567890-abcdefghij", "sk-ant-api03-abcdefghijklmnopqrstuvwxyz", "sk-proj-abcdefghijklmnopqrstuvwxyz", JWT]) {
      expectRedacted(`value ${token} end`, token, `value ${REDACTED} end`);
    }
  });

  test("PEM private keys, whole block, of any type, even when cut off", () => {
    expectRedacted(`key:\n${PEM_RSA}\nafter`, "MIIEowIBAAKCAQEAx4UbaDzY", `key:\n${REDACTED}\nafter`);
    expectRedacted(PEM_OPENSSH, "b3BlbnNzaC1rZXktdjEAAAAABG5vbmU", REDACTED);
    expectRedacted("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----", "MIIEvQIBADANBg", REDACTED);
    expectRedacted("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBLAH", "MHcCAQEEIBLAH", REDACTED);
  });

  test("public keys and certificates are not secrets", () => {
    const cert = "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE\n-----END CERTIFICATE-----";
    expect(redactText(cert)).toBe(cert);
  });
});

describe("headers, URLs, assignments, flags", () => {
  test("Authorization headers: Bearer, Basic, token", () => {
    expectRedacted("Authorization: Bearer abc.def-ghi_jkl", "abc.def-ghi_jkl", `Authorization: Bearer ${REDACTED}`);
    expectRedacted(`authorization: bearer ${JWT}`, JWT);
    expectRedacted("Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA==", `Authorization: Basic ${REDACTED}`);
    expectRedacted(`curl -H "Authorization: token ${GHS}" https://api.github.com`, GHS);
    expectRedacted("curl -H 'Authorization: Bearer sometokenvalue123'", "sometokenvalue123", `curl -H 'Authorization: Bearer ${REDACTED}'`);
    expectRedacted("Proxy-Authorization: Basic Zm9vOmJhcg==", "Zm9vOmJhcg==");
  });

  test("a bare Bearer credential", () => {
    expectRedacted("sent Bearer abcdefgh12345678 upstream", "abcdefgh12345678", `sent Bearer ${REDACTED} upstream`);
  });

  test("credentials in URLs keep the user, host and path", () => {
    expectRedacted("git clone https://user:pass@github.com/org/repo.git", "pass@", `git clone https://user:${REDACTED}@github.com/org/repo.git`);
    expectRedacted("postgres://admin:s3cr3t@db.internal:5432/app", "s3cr3t", `postgres://admin:${REDACTED}@db.internal:5432/app`);
    expectRedacted("https://oauth2:glpat-abcdefghijklmnopqrst@gitlab.com/o/r.git", "glpat-", `https://oauth2:${REDACTED}@gitlab.com/o/r.git`);
  });

  test("password= / password: / JSON-style assignments", () => {
    expectRedacted("password=hunter2", "hunter2", `password=${REDACTED}`);
    expectRedacted("PASSWORD: hunter2", "hunter2", `PASSWORD: ${REDACTED}`);
    expectRedacted("export GITHUB_TOKEN=abc123def", "abc123def", `export GITHUB_TOKEN=${REDACTED}`);
    expectRedacted("api_key: abcd1234", "abcd1234", `api_key: ${REDACTED}`);
    expectRedacted('{"password": "hunter2", "user": "bob"}', "hunter2", `{"password": "${REDACTED}", "user": "bob"}`);
    expectRedacted("db_passwd='hunter2'", "hunter2", `db_passwd='${REDACTED}'`);
    expectRedacted("client_secret=abc&grant=x", "abc&", `client_secret=${REDACTED}&grant=x`);
  });

  test("--flag=value", () => {
    expectRedacted("mytool --token=supersecret --verbose", "supersecret", `mytool --token=${REDACTED} --verbose`);
    expectRedacted("mytool --password=hunter2", "hunter2", `mytool --password=${REDACTED}`);
  });

  test("a flag value that is a known token format is caught by the format", () => {
    expectRedacted(`gh auth login --token ${GHP}`, GHP, `gh auth login --token ${REDACTED}`);
  });

  // BUG (see report): the ASSIGNMENT regex starts with `\b`, which never matches before "--" after a
  // space, so the `--(?:token|password|secret)[ =]` branch is dead for the space-separated form.
  test("--token x / --password x / --secret x (space-separated flag values)", () => {
    expectRedacted("mytool --token x", " x", `mytool --token ${REDACTED}`);
    expectRedacted("mytool --password hunter2", "hunter2", `mytool --password ${REDACTED}`);
    expectRedacted("vault login --secret s3cr3t", "s3cr3t", `vault login --secret ${REDACTED}`);
  });

  // BUG (see report): a quoted value is cut at the first space, so the rest of the secret leaks.
  test("a quoted value with spaces is redacted whole", () => {
    expectRedacted('DB_PASSWORD="correct horse battery staple"', "horse", `DB_PASSWORD="${REDACTED}"`);
    expectRedacted("password: 'two words'", "words", `password: '${REDACTED}'`);
  });

  // BUG (see report): URL_CREDENTIALS redacts the password, then ASSIGNMENT sees "...token:" and
  // swallows "[REDACTED]@github.com/o/r" as its value, so the host and repository are lost.
  test("x-access-token URLs keep their host and path", () => {
    expectRedacted(
      `git clone https://x-access-token:${GHS}@github.com/o/r.git`,
      GHS,
      `git clone https://x-access-token:${REDACTED}@github.com/o/r.git`,
    );
  });
});

describe("ordinary text is left alone", () => {
  for (const text of [
    "tokens: 5 tests passed",
    "3f786850e387550fdab836ed7e6dc881de23001b",
    "commit 3f786850e387550fdab836ed7e6dc881de23001b (HEAD -> main)",
    "npm test",
    "npm install --save-dev typescript",
    "npm_config_cache=/tmp/npm",
    "Running 12 tests; 0 failed",
    "the tokenizer produced 10 tokens",
    "max_tokens = 1024",
    "token count: 42",
    "passwordless login enabled",
    "password reset flow works",
    "Bearer of bad news",
    "basic setup complete",
    "authorization header missing",
    "see https://github.com/org/repo/pull/12",
    "git@github.com:org/repo.git",
    "https://example.com:8080/path?q=1",
    "user@example.com",
    "AKIA is a prefix",
    "sk-1",
    "ghp_short",
    "bun test src/secrets/redact.test.ts",
    "✓ 14 pass, 0 fail [174.00ms]",
    "",
  ]) {
    test(JSON.stringify(text), () => {
      expect(redactText(text)).toBe(text);
    });
  }

  test("redaction is idempotent", () => {
    const once = redactText(`push ${GHP} with password=hunter2 to https://u:p@h.example/x`);
    expect(redactText(once)).toBe(once);
  });
});

describe("redactValue", () => {
  test("a number under a key that counts tokens is a model's usage, kept; a string there is still a secret", () => {
    expect(redact({ inputTokens: 120, outputTokens: 30, tokens: 150, job_tokens: 300000 })).toEqual({ inputTokens: 120, outputTokens: 30, tokens: 150, job_tokens: 300000 });
    expect(redact({ tokens: "ghp_abcdefghijklmnopqrstuvwxyz0123456789", token: 123456 })).toEqual({ tokens: REDACTED, token: REDACTED });
  });

  test("keys that name a secret lose their string or number value", () => {
    const out = redact({
      password: "hunter2",
      apiKey: "abc",
      api_key: "abc",
      accessKey: "AKIA...",
      private_key: "x",
      GITHUB_TOKEN: "abc",
      clientSecret: "s",
      pin_password: 1234,
      credentials: "u:p",
      headers: { Authorization: "Bearer abcdefghijk", Cookie: "sid=1" },
    });
    expect(out).toEqual({
      password: REDACTED,
      apiKey: REDACTED,
      api_key: REDACTED,
      accessKey: REDACTED,
      private_key: REDACTED,
      GITHUB_TOKEN: REDACTED,
      clientSecret: REDACTED,
      pin_password: REDACTED,
      credentials: REDACTED,
      headers: { Authorization: REDACTED, Cookie: REDACTED },
    });
  });

  test("other values are walked: strings inside are redacted by pattern, the rest is kept", () => {
    const input = {
      name: "alice",
      monkey: "banana",
      keywords: ["a", "b"],
      count: 3,
      ok: true,
      nothing: null,
      note: `pushed with ${GHP}`,
      list: ["password=x", 3, { url: "https://u:p@h.example/r" }],
      deep: { deeper: { command: `curl -H "Authorization: Bearer abcdefghijk"` } },
    };
    expect(redactValue(input)).toEqual({
      name: "alice",
      monkey: "banana",
      keywords: ["a", "b"],
      count: 3,
      ok: true,
      nothing: null,
      note: `pushed with ${REDACTED}`,
      list: [`password=${REDACTED}`, 3, { url: `https://u:${REDACTED}@h.example/r` }],
      deep: { deeper: { command: `curl -H "Authorization: Bearer ${REDACTED}"` } },
    });
  });

  test("it returns a copy and leaves the input untouched", () => {
    const input = { password: "hunter2", nested: { token: "t" } };
    const out = redactValue(input);
    expect(input).toEqual({ password: "hunter2", nested: { token: "t" } });
    expect(out).not.toBe(input);
  });

  test("very deep structures are cut off instead of overflowing", () => {
    let value: unknown = "leaf";
    for (let i = 0; i < 100; i++) value = { next: value };
    expect(() => redactValue(value)).not.toThrow();
    expect(JSON.stringify(redactValue(value))).toContain(REDACTED);
  });

  // BUG (see report): the doc says keys that name a secret "lose their value entirely", but only
  // string/number values are replaced; arrays and objects under such keys are walked and leak.
  test("a secret-named key with an array or object value loses it entirely", () => {
    expect(redact({ "set-cookie": ["sid=abc123; HttpOnly"] })).toEqual({ "set-cookie": REDACTED });
    expect(redact({ password: { value: "hunter2" } })).toEqual({ password: REDACTED });
    expect(redact({ tokens: ["abc", "def"] })).toEqual({ tokens: REDACTED });
  });
});

test("a secret value this process registered is removed wherever it appears, whatever its shape", async () => {
  const { registerSecret, redactText: redact2 } = await import("./redact.ts");
  const key = "plainlocalmodelkey42";
  expect(redact2(`the key is ${key}.`)).toBe(`the key is ${key}.`);
  registerSecret(key);
  expect(redact2(`the key is ${key}, again ${key}`)).toBe("the key is [REDACTED], again [REDACTED]");
  registerSecret("short");
  expect(redact2("a short word")).toBe("a short word");
});

test("a credential of a known format is seen (a token, a key, a URL's password); a variable named token is not one", () => {
  expect(holdsTokenLikeSecret(`const key = "ghp_${"a".repeat(30)}";`)).toBe(true);
  expect(holdsTokenLikeSecret("-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n")).toBe(true);
  expect(holdsTokenLikeSecret("url = https://me:hunter22@example.com/x")).toBe(true);
  expect(holdsTokenLikeSecret("const token = readToken();\nexport { token };\n")).toBe(false);
});
