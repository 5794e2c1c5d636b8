import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseTomlText } from "../core/toml.ts";
import { canonicalJson } from "./canonical-json.ts";
import { DEFAULT_POLICY } from "./policy-defaults.ts";
import { policyError } from "./policy-errors.ts";
import { Policy, PolicyFile } from "./policy-schema.ts";

export const POLICY_RELATIVE_PATH = join(".pushpals", "policy.toml");

export interface LoadedPolicy {
  policy: Policy;
  /** sha256 (hex) of the normalized policy: a verdict keyed by it is void once the policy changes. */
  hash: string;
  /** The file it came from; null when there is none and the defaults apply. */
  source: string | null;
}

/** `.pushpals/policy.toml` over the defaults; no file means the defaults. */
export function loadPolicy(repoRoot: string): LoadedPolicy {
  const file = join(repoRoot, POLICY_RELATIVE_PATH);
  if (!existsSync(file)) return { policy: structuredClone(DEFAULT_POLICY), hash: policyHash(DEFAULT_POLICY), source: null };
  const policy = parsePolicyText(readFileSync(file, "utf8"), file);
  return { policy, hash: policyHash(policy), source: file };
}

/** Parses and validates a policy file's text; `file` only names it in errors. */
export function parsePolicyText(text: string, file: string): Policy {
  const raw = parseTomlText(text, file);
  const layer = PolicyFile.safeParse(raw);
  if (!layer.success) throw policyError(layer.error, raw, file);
  const merged = mergeOver(structuredClone(DEFAULT_POLICY), layer.data);
  const parsed = Policy.safeParse(merged);
  if (!parsed.success) throw policyError(parsed.error, merged, file);
  return parsed.data;
}

/** The normalized form is the complete policy (defaults filled in) as JSON with sorted keys; lists keep their order. */
export function policyHash(policy: Policy): string {
  return createHash("sha256").update(canonicalJson(policy)).digest("hex");
}

/** Tables merge key by key (roles too); a list in the file replaces the default list. */
function mergeOver(base: Record<string, unknown>, layer: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(layer)) {
    if (value === undefined) continue;
    const current = base[key];
    const bothTables = isTable(current) && isTable(value);
    base[key] = bothTables ? mergeOver(current, value) : value;
  }
  return base;
}

function isTable(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
