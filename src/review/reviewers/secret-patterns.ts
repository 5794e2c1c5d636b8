import { isPlaceholder, isReference, looksRandom } from "./secret-values.ts";

/**
 * Known credential formats secretlint's recommended preset does not cover (or covers only in part),
 * as data in the manner of gitleaks' rule table. Every regex is global with bounded repetition, so a
 * scan stays linear in the text; `accept` rejects a match that has the shape but not the substance.
 */
export interface SecretPattern {
  id: string;
  description: string;
  regex: RegExp;
  /** A known format blocks; a shape found by entropy alone only requests changes. */
  severity: "block" | "request_changes";
  accept?: (match: RegExpMatchArray) => boolean;
}

export const SECRET_PATTERNS: readonly SecretPattern[] = [
  {
    id: "gitlab_token",
    description: "GitLab pipeline trigger, runner, deploy or other token",
    regex: /(?<![\w-])(?:glptt-[0-9a-f]{40}|GR1348941[\w-]{20,64}|(?:glrt|gldt|glcbt|glft|glimt|glagent|gloas|glsoat|glffct)-[\w-]{20,128})(?![\w-])/g,
    severity: "block",
  },
  {
    id: "stripe_secret_key",
    description: "Stripe secret key",
    regex: /(?<![\w-])sk_(?:live|test)_[0-9A-Za-z]{20,247}(?![0-9A-Za-z])/g,
    severity: "block",
  },
  {
    id: "stripe_restricted_key",
    description: "Stripe restricted key",
    regex: /(?<![\w-])rk_(?:live|test)_[0-9A-Za-z]{20,247}(?![0-9A-Za-z])/g,
    severity: "block",
  },
  {
    id: "jwt",
    description: "JSON Web Token",
    regex: /(?<![\w-])(ey[A-Za-z0-9_-]{8,2000})\.ey[A-Za-z0-9_-]{8,8000}\.[A-Za-z0-9_-]{16,2000}(?![\w-])/g,
    severity: "block",
    accept: (m) => headerHasAlg(m[1] ?? ""),
  },
  {
    id: "slack_token",
    description: "Slack configuration or refresh token",
    regex: /(?<![\w.-])(?:xoxe\.xox[bp]-|xoxe-)\d-[A-Za-z0-9]{100,200}(?![A-Za-z0-9])/g,
    severity: "block",
  },
  {
    id: "slack_webhook",
    description: "Slack workflow webhook",
    regex: /hooks\.slack\.com\/(?:workflows|triggers)\/[A-Za-z0-9+/]{30,200}/g,
    severity: "block",
  },
  {
    id: "private_key",
    description: "private key block",
    regex: /-----BEGIN ((?:[A-Z0-9]+ ){0,3})PRIVATE KEY( BLOCK)?-----([\s\S]{0,16000}?)-----END \1PRIVATE KEY\2-----/g,
    severity: "block",
    accept: (m) => isKeyBody(m[3] ?? ""),
  },
  {
    id: "database_url_password",
    description: "database or broker URL with a password",
    regex:
      /\b(?:postgres(?:ql)?|mysqlx?|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|cockroachdb)(?:\+[a-z0-9]{1,20})?:\/\/([^\s:@/'"`]{0,100}):([^\s@/'"`]{1,200})@[\w.-]{1,253}/gi,
    severity: "block",
    accept: (m) => isRealPassword(m[1] ?? "", m[2] ?? ""),
  },
  {
    id: "google_api_key",
    description: "Google API key",
    regex: /(?<![\w-])AIza[0-9A-Za-z_-]{35}(?![\w-])/g,
    severity: "block",
  },
  {
    id: "google_oauth_client_secret",
    description: "Google OAuth client secret",
    regex: /(?<![\w-])GOCSPX-[0-9A-Za-z_-]{28}(?![\w-])/g,
    severity: "block",
  },
  {
    id: "twilio_api_key",
    description: "Twilio API key",
    regex: /(?<![\w])SK[0-9a-fA-F]{32}(?![\w])/g,
    severity: "block",
  },
  {
    id: "azure_storage_key",
    description: "Azure storage account or shared access key",
    regex: /\b(?:AccountKey=[A-Za-z0-9+/]{86}==|SharedAccessKey=[A-Za-z0-9+/]{43}=)/g,
    severity: "block",
  },
  {
    id: "azure_sas_token",
    description: "Azure shared access signature",
    regex: /[?&]sv=\d{4}-\d{2}-\d{2}&[^\s"'`]{0,400}?\bsig=[A-Za-z0-9%+/]{40,120}/g,
    severity: "block",
  },
  {
    id: "bearer_token",
    description: "literal bearer token",
    regex: /\bBearer[ \t]+([A-Za-z0-9._~+/-]{20,2000}=*)/g,
    severity: "request_changes",
    accept: (m) => looksRandom(m[1] ?? "", { minLength: 20, minEntropy: 3.5, mixed: true }),
  },
];

export interface PatternHit {
  id: string;
  description: string;
  severity: SecretPattern["severity"];
  /** Offset of the match in the scanned text. */
  index: number;
}

export function scanPatterns(content: string): PatternHit[] {
  const hits: PatternHit[] = [];
  for (const pattern of SECRET_PATTERNS) {
    for (const m of content.matchAll(pattern.regex)) {
      if (pattern.accept && !pattern.accept(m)) continue;
      hits.push({ id: pattern.id, description: pattern.description, severity: pattern.severity, index: m.index ?? 0 });
    }
  }
  return hits;
}

function headerHasAlg(header: string): boolean {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(header, "base64url").toString("utf8"));
    return typeof parsed === "object" && parsed !== null && typeof (parsed as Record<string, unknown>).alg === "string";
  } catch {
    return false;
  }
}

/**
 * A key's body once armor headers (`Proc-Type:`, `Version:`), escaped newlines, quotes and string
 * concatenation are removed: long and base64 throughout. `...` or `<key>` bodies in docs fail this.
 */
function isKeyBody(body: string): boolean {
  const stripped = body
    .replace(/^[ \t"'`]*[\w-]+: .*$/gm, "")
    .replace(/\\[nr]/g, "")
    .replace(/[\s"'`+,;\\]/g, "");
  return stripped.length >= 100 && /^[A-Za-z0-9+/=]+$/.test(stripped);
}

// Stand-ins and well-known defaults (RabbitMQ's guest:guest), as secretlint's own URL rules skip them.
const DEFAULT_PASSWORDS = new Set(["pass", "password", "secret", "root", "admin", "user", "guest", "mypassword"]);

/** Not a reference, a placeholder, a well-known default, or the user name repeated (`postgres:postgres`). */
function isRealPassword(user: string, password: string): boolean {
  if (password.length < 4 || password === user || DEFAULT_PASSWORDS.has(password.toLowerCase())) return false;
  return !isReference(password) && !isPlaceholder(password);
}
