/**
 * What a candidate secret value looks like: a reference to one kept elsewhere, an obvious
 * placeholder, or a random-looking literal. Shared by the entropy rule, the env-file rule and the
 * data-driven patterns; none of these functions keeps or returns the value.
 */

// `${VAR}`, `$VAR`, `$(cmd)`, `{{ x }}`, `%VAR%`, `#{x}` and the usual ways code reads the environment.
const REFERENCE =
  /\$\{|\$\(|^\$[A-Za-z_]\w*$|\{\{|%[A-Za-z_]\w*%|#\{|process\.env|import\.meta\.env|os\.environ|getenv|\bENV\[|System\.getenv|\bsecrets\.[A-Za-z_]/;

const PLACEHOLDER_WORDS =
  /change[-_ ]?me|replace[-_ ]?(?:me|this|with)|placeholder|redacted|dummy|example|sample|insert[-_ ]|<[\w -]+>|[-_ ]here$|^your[-_ A-Z]|^my[-_]?(?:password|secret|token|key)$/i;
// Empty, one character repeated (`xxxxxxxx`, `********`, `00000000`), or wrapped like `<token>`, `[key]`, `{secret}`.
const PLACEHOLDER_SHAPE = /^(?:(.)\1*|<[^<>]*>|\[[^[\]]*\]|\{[^{}]*\}|\.\.\.+.*|.*\.\.\.+)?$/;
const PLACEHOLDER_EXACT = new Set(["none", "null", "nil", "undefined", "true", "false", "todo", "tbd", "password", "passwd", "secret", "token", "apikey", "api_key", "api-key", "key", "value"]);

export function isReference(value: string): boolean {
  return REFERENCE.test(value);
}

export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  return PLACEHOLDER_SHAPE.test(v) || PLACEHOLDER_EXACT.has(v.toLowerCase()) || PLACEHOLDER_WORDS.test(v);
}

/** Bits per character. */
export function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const n = [...text].length;
  let bits = 0;
  for (const c of counts.values()) bits -= (c / n) * Math.log2(c / n);
  return bits;
}

/**
 * Made of words and numbers (`my-release-secret`, `refresh_token`, `fake-token-123`, `/run/secrets/db`,
 * `myAppSecretName`): an identifier or a name, not something random.
 */
export function isWordy(value: string): boolean {
  return value.split(/[-_.:/@+\s]+/).every((part) => /^[A-Za-z]*$/.test(part) || /^\d+$/.test(part));
}

export interface RandomnessBar {
  minLength: number;
  minEntropy: number;
  /** Require upper case, lower case and digits together (or a long hex string). */
  mixed?: boolean;
}

/** A literal that reads as a generated credential rather than a word, a name or a placeholder. */
export function looksRandom(value: string, bar: RandomnessBar): boolean {
  if (value.length < bar.minLength || /\s/.test(value)) return false;
  if (isReference(value) || isPlaceholder(value) || isWordy(value)) return false;
  if (shannonEntropy(value) < bar.minEntropy) return false;
  if (!bar.mixed) return true;
  return (/[A-Z]/.test(value) && /[a-z]/.test(value) && /\d/.test(value)) || /^[0-9a-f]{32,}$/i.test(value);
}
