/**
 * Removes credentials from anything PushPals records: logs, evidence, events and audit entries.
 * Patterns cover the token formats that show up in repository work; keys that name a secret
 * have their whole value replaced.
 */
export const REDACTED = "[REDACTED]";

const TOKEN_PATTERNS: RegExp[] = [
  /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}\b/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
  /\bglpat-[A-Za-z0-9_-]{20,}\b/g, // GitLab
  /\bnpm_[A-Za-z0-9]{30,}\b/g, // npm
  /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g, // Slack
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, // AWS access key id
  /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}\b/g, // model provider API keys
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b/g, // JWTs
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
];

// "Authorization: Bearer x", "token=x", "password: 'a b'", "--password x", "_authToken=x" (npmrc).
// The lookbehind lets "--token" match after a space, where \b cannot.
const ASSIGNMENT =
  /(?:\b|(?<![\w-])(?=--))((?:authorization|proxy-authorization)\s*[:=]\s*(?:bearer|basic|token)?\s*|(?:[A-Za-z0-9_.-]*?(?:token|secret|password|passwd|api[_-]?key|access[_-]?key|private[_-]?key|credentials?))["']?\s*[:=]\s*|--(?:token|password|secret)[ =])("[^"\r\n]*"|'[^'\r\n]*'|[^\s"',;&]+)/gi;

const BEARER = /\b(bearer|basic)\s+([A-Za-z0-9._~+/=-]{8,})/gi;

// https://user:secret@host -> https://user:[REDACTED]@host
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)(@)/gi;

const SECRET_KEY_NAME = /(token|secret|password|passwd|api[_-]?key|access[_-]?key|private[_-]?key|credential|authorization|cookie)/i;
const TOKEN_COUNT_KEY = /tokens$/i;

// Cheap pre-check: text with none of these markers cannot match any pattern below.
const MIGHT_HOLD_SECRET =
  /gh[pousr]_|github_pat_|glpat-|npm_|xox[abprs]-|AKIA|ASIA|sk-|eyJ|-----BEGIN|:\/\/[^\s/@]+:|token|secret|passw|api[_-]?key|access[_-]?key|private[_-]?key|credential|authorization|bearer|basic/i;

/** Exact secret values this process holds (a model key): removed from any text wherever they appear, whatever their shape. */
const KNOWN_SECRETS = new Set<string>();

/** Registers a secret value this process read (long enough to be one): redactText removes it from then on. */
export function registerSecret(value: string): void {
  if (value.length >= 8) KNOWN_SECRETS.add(value);
}

function withoutKnownSecrets(text: string): string {
  let out = text;
  for (const secret of KNOWN_SECRETS) if (out.includes(secret)) out = out.replaceAll(secret, REDACTED);
  return out;
}

/** Whether text holds a credential of a known format (a token, a key, a URL's password): what may not leave this machine. */
export function holdsTokenLikeSecret(text: string): boolean {
  if ([...KNOWN_SECRETS].some((secret) => text.includes(secret))) return true;
  if (!MIGHT_HOLD_SECRET.test(text)) return false;
  return TOKEN_PATTERNS.some((pattern) => new RegExp(pattern.source, pattern.flags.replace("g", "")).test(text)) || new RegExp(URL_CREDENTIALS.source, "i").test(text);
}

export function redactText(text: string): string {
  if (KNOWN_SECRETS.size > 0) text = withoutKnownSecrets(text);
  if (!MIGHT_HOLD_SECRET.test(text)) return text;
  let out = text;
  for (const pattern of TOKEN_PATTERNS) out = out.replace(pattern, REDACTED);
  out = out.replace(URL_CREDENTIALS, `$1${REDACTED}$3`);
  out = out.replace(ASSIGNMENT, (match: string, prefix: string, value: string) => {
    const quote = value[0] === '"' || value[0] === "'" ? value[0] : "";
    // Already redacted (e.g. URL credentials): keep the rest of the URL intact.
    if (value.slice(quote.length).startsWith(REDACTED)) return match;
    return `${prefix}${quote}${REDACTED}${quote}`;
  });
  out = out.replace(BEARER, (_m, scheme: string) => `${scheme} ${REDACTED}`);
  return out;
}

/** Deep-redacts a JSON-like value; object keys that name a secret lose their value entirely. */
export function redactValue<T>(value: T): T {
  return walk(value, 0) as T;
}

function walk(value: unknown, depth: number): unknown {
  if (depth > 32) return REDACTED;
  if (typeof value === "string") return redactText(value);
  if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    // A number under a key that counts tokens (`inputTokens`, `job_tokens`: a model's usage and budgets) is a count, not a credential.
    const count = typeof inner === "number" && TOKEN_COUNT_KEY.test(key);
    const secretish = SECRET_KEY_NAME.test(key) && inner !== null && inner !== undefined && typeof inner !== "boolean" && !count;
    out[key] = secretish ? REDACTED : walk(inner, depth + 1);
  }
  return out;
}

/**
 * Redacts a stream line by line, remembering when it is inside a PEM private key block so the
 * key's body lines (which match no pattern on their own) are hidden too.
 */
export class LineRedactor {
  private inKey = false;

  line(text: string): string {
    if (this.inKey) {
      if (/-----END [A-Z ]*PRIVATE KEY-----/.test(text)) this.inKey = false;
      return REDACTED;
    }
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text) && !/-----END [A-Z ]*PRIVATE KEY-----/.test(text)) {
      this.inKey = true;
      return REDACTED;
    }
    return redactText(text);
  }
}
