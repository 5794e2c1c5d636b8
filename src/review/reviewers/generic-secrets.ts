import { posix } from "node:path";
import type { DiffLine } from "../diff-types.ts";
import { looksRandom, type RandomnessBar } from "./secret-values.ts";

/**
 * A literal, random-looking value assigned to a secret-looking name (`DB_PASSWORD=...`,
 * `"clientSecret": "..."`, `apiKey: '...'`, `signing_key = "..."`): what the rule sets for known
 * token formats miss. Covers `=`, `:`, `:=` and `=>` in JS/TS, JSON, YAML, TOML, ini, shell and `.env`
 * syntaxes. References (`process.env.X`, `${X}`, `config.password`) and placeholders (`changeme`,
 * `xxxxxxxx`, `<your-token>`) are not secrets.
 */
const ASSIGNMENT =
  /(?<![\w$])([A-Za-z_$][\w$.-]{0,80})["'\]]{0,2}[ \t]*(?::[ \t]*[A-Za-z_$][\w$.<>[\]|]{0,40}[ \t]*(?==))?(?::=|=>|=(?!=)|:)[ \t]*("(?:[^"\\\n]|\\.){0,500}"|'(?:[^'\\\n]|\\.){0,500}'|`[^`$\n]{0,500}`|[^\s"'`,;#)}\]][^\s"'`,;)}\]]{0,499})/g;
// Cheap test before the full expression: most lines name nothing secret.
const KEYWORD = /pass|pwd|secret|token|key|cred/i;
// Names ending in one of these (separators and case ignored) hold secrets.
const STRONG_NAME = /(?:password|passwd|pwd|passphrase|secret|token|apikey|accesskey|secretkey|authkey|privatekey|credentials?)$/;
// `SIGNING_KEY`, `encryption-key`, `masterKey`: a key of some kind, but also `sortKey` and `cacheKey`.
const KEY_NAME = [/[_-]key$/i, /[a-z0-9]Key$/];
// Meant to be published: `PUBLIC_KEY`, Stripe's `publishableKey`.
const PUBLIC_NAME = /public|publishable/i;
const STRONG_BAR: RandomnessBar = { minLength: 8, minEntropy: 3.0 };
const KEY_BAR: RandomnessBar = { minLength: 16, minEntropy: 3.5, mixed: true };
// In these, an unquoted right-hand side is an expression (`token = lexer.next()`), not a literal.
// Markdown counts: its `name: value` lines are mostly prose or code samples.
const CODE_EXT = new Set([".md", ".markdown", ".mdx", ".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs", ".py", ".rb", ".go", ".java", ".kt", ".kts", ".scala", ".cs", ".php", ".rs", ".swift", ".c", ".cc", ".cpp", ".h", ".hpp", ".dart", ".lua", ".vue", ".svelte", ".groovy"]);

export interface GenericSecretHit {
  /** Index of the line in the input. */
  index: number;
  line: number;
  kind: string;
}

/** How to read an unquoted right-hand side: in code it is an expression, in config files a literal. */
export type Syntax = "code" | "config";

export function syntaxOf(path: string): Syntax {
  return CODE_EXT.has(posix.extname(path).toLowerCase()) ? "code" : "config";
}

export function genericSecretHits(lines: DiffLine[], syntax: Syntax): GenericSecretHit[] {
  const code = syntax === "code";
  const hits: GenericSecretHit[] = [];
  for (const [index, { line, text }] of lines.entries()) {
    if (!KEYWORD.test(text)) continue;
    for (const m of text.matchAll(ASSIGNMENT)) {
      const bar = barFor(m[1] ?? "");
      if (!bar || !isLiteralSecret(m[2] ?? "", bar, code)) continue;
      hits.push({ index, line, kind: "a high-entropy literal under a secret-looking name" });
      break;
    }
  }
  return hits;
}

function barFor(name: string): RandomnessBar | null {
  const last = name.split(".").pop() ?? "";
  if (PUBLIC_NAME.test(last)) return null;
  if (STRONG_NAME.test(last.toLowerCase().replace(/[_-]/g, ""))) return STRONG_BAR;
  return KEY_NAME.some((re) => re.test(last)) ? KEY_BAR : null;
}

function isLiteralSecret(raw: string, bar: RandomnessBar, code: boolean): boolean {
  const quoted = /^["'`]/.test(raw);
  // Unquoted, a call is an expression in any syntax (`password = signer.sign()` in a README's snippet).
  if (!quoted && (code || raw.includes("("))) return false;
  return looksRandom(quoted ? raw.slice(1, -1) : raw, bar);
}
