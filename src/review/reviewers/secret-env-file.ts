import { posix } from "node:path";
import type { DiffLine } from "../diff-types.ts";
import { isPlaceholder, isReference, looksRandom } from "./secret-values.ts";

/**
 * `.env`, `.env.local`, `.env.production`, `foo.env`: files that hold live configuration, so any
 * value assigned in one is a finding whatever it looks like. `.envrc` is a direnv script, not one of
 * these. A template (`.env.example`, `.env.sample`, `.env.template`) may hold ordinary settings
 * (`PORT=3000`); under a secret-looking name only an empty value or an obvious placeholder, and nowhere
 * a random-looking one.
 */
const ENV_FILE = /^(?:\.env(?:\.[\w.-]+)?|[\w.-]+\.env)$/i;
const TEMPLATE = /(?:^|\.)(?:example|sample|template)(?:\.|$)/i;
const ASSIGNMENT = /^(?:export[ \t]+)?([A-Za-z_][\w.-]*)[ \t]*=[ \t]*(.*)$/;
const SECRET_NAME = /pass|pwd|secret|token|key|auth|credential|private|cert|dsn|session|cookie|salt/i;

export interface EnvFileHit {
  line: number;
  template: boolean;
}

export function isEnvFile(path: string): boolean {
  return ENV_FILE.test(posix.basename(path));
}

/** The first added line that assigns a value the file may not hold, or null when there is none. */
export function envFileHit(path: string, lines: DiffLine[]): EnvFileHit | null {
  if (!isEnvFile(path)) return null;
  const template = TEMPLATE.test(posix.basename(path));
  for (const { line, text } of lines) {
    const assigned = assignedValue(text);
    if (assigned === null || assigned.value === "") continue;
    const { name, value } = assigned;
    if (template && (isPlaceholder(value) || isReference(value))) continue;
    if (template && !SECRET_NAME.test(name) && !looksRandom(value, { minLength: 16, minEntropy: 3.3 })) continue;
    return { line, template };
  }
  return null;
}

/** The name and value of a `KEY=value` line, unquoted and without a trailing comment; null for other lines. */
function assignedValue(text: string): { name: string; value: string } | null {
  const m = ASSIGNMENT.exec(text.trim());
  if (!m) return null;
  const name = m[1] ?? "";
  const raw = (m[2] ?? "").trim();
  const quoted = /^(["'])(.*?)\1/.exec(raw);
  if (quoted) return { name, value: quoted[2] ?? "" };
  return { name, value: raw.replace(/(?:^|\s+)#.*$/, "").trim() };
}
