import type { UpdateType } from "./policy-schema.ts";

interface PlainVersion {
  op: string;
  major: number;
  /** null for a wildcard (`1.x`, `1`). */
  minor: number | null;
  patch: number | null;
}

// A single plain version, optionally with one operator: ^1.2.3, ~1.2, >=1.2.3, 1.x, v1.2.3.
const PLAIN = /^(\^|~|>=|>|<=|<|=|v)?\s*(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?$/i;

export function parsePlainVersion(spec: string): PlainVersion | null {
  const m = PLAIN.exec(spec.trim());
  if (!m) return null;
  const part = (s: string | undefined) => (s === undefined || s === "x" || s === "X" || s === "*" ? null : Number(s));
  return { op: m[1] ?? "", major: Number(m[2]), minor: part(m[3]), patch: part(m[4]) };
}

/**
 * How a declared dependency changed, or null when it did not. The size of a change follows caret
 * semantics: below 1.0 a minor bump is breaking (major), and below 0.1 a patch bump is. A spec that is
 * not one plain version (git URL, tag, `workspace:`, `npm:` alias, range, prerelease) is "other";
 * the same version with another operator (`~1.2.3` -> `^1.2.3`) widens or narrows what installs: "minor".
 */
export function updateType(before: unknown, after: unknown): UpdateType | null {
  if (before === undefined && after === undefined) return null;
  if (before === undefined) return "added";
  if (after === undefined) return "removed";
  if (before === after) return null;
  if (typeof before !== "string" || typeof after !== "string") return "other";
  const a = parsePlainVersion(before);
  const b = parsePlainVersion(after);
  if (!a || !b) return "other";
  if (a.major !== b.major) return "major";
  if (a.minor !== b.minor) return a.major === 0 ? "major" : "minor";
  if (a.patch !== b.patch) return a.major === 0 && a.minor === 0 ? "major" : "patch";
  return normalizeOp(a.op) === normalizeOp(b.op) ? null : "minor";
}

function normalizeOp(op: string): string {
  return op === "v" || op === "=" ? "" : op;
}
