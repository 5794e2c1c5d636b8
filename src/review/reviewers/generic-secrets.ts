import type { DiffLine } from "../diff-types.ts";

/**
 * `password = "..."`-style assignments with a literal, high-entropy value: the case rule sets for
 * known token formats miss. References (`process.env.X`, `${X}`, `config.password`) and low-entropy
 * placeholders (`changeme`, `xxxxxxxx`) are not secrets.
 */
const ASSIGNMENT =
  /(?:^|[^\w-])["']?[\w.-]*?(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|auth[_-]?key|private[_-]?key)["']?\s*(?::=|=>|[:=])\s*(["'`]?)([^\s"'`,;]{8,})\1/gi;
const REFERENCE = /^[A-Za-z_$][\w$.]*$|\$\{|\{\{|process\.env|os\.environ|getenv|[()<>[\]]/;
const MIN_ENTROPY = 3.0;

export interface GenericSecretHit {
  line: number;
  kind: string;
}

export function genericSecretHits(lines: DiffLine[]): GenericSecretHit[] {
  const hits: GenericSecretHit[] = [];
  for (const { line, text } of lines) {
    for (const m of text.matchAll(ASSIGNMENT)) {
      const value = m[2] ?? "";
      if (REFERENCE.test(value) || shannonEntropy(value) < MIN_ENTROPY) continue;
      hits.push({ line, kind: "a password or secret assigned a literal value" });
      break;
    }
  }
  return hits;
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
