import type { z } from "zod";
import { PushpalsError } from "../core/errors.ts";
import { DEFAULT_POLICY } from "./policy-defaults.ts";

/**
 * A `config_invalid` error naming the file, the key path, the bad value and the fix, e.g.
 * `.pushpals/policy.toml: low.max_files: Invalid input: expected number, received string (got "ten")`, hint
 * `set low.max_files to a number, e.g. 10`.
 */
export function policyError(error: z.ZodError, raw: unknown, file: string): PushpalsError {
  const issue = error.issues[0]!;
  const unknownKeys = issue.code === "unrecognized_keys" ? issue.keys : [];
  const path = [...issue.path, ...(unknownKeys.length === 1 ? unknownKeys : [])];
  const key = keyPath(path);
  const value = unknownKeys.length > 1 ? undefined : valueAt(raw, path);
  const got = value === undefined ? "" : ` (got ${show(value)})`;
  const message = issue.code === "invalid_key" ? `is not a valid role name: ${issue.issues[0]?.message ?? issue.message}` : issue.message;
  return new PushpalsError("config_invalid", `${file}: ${key ? `${key}: ` : ""}${message}${got}`, {
    field: key,
    hint: hintFor(issue, key, path),
    details: { file, key, value },
  });
}

/** `paths.protected[2]`: table keys dotted, list positions in brackets. */
function keyPath(path: readonly PropertyKey[]): string {
  return path.map((k, i) => (typeof k === "number" ? `[${k}]` : `${i === 0 ? "" : "."}${String(k)}`)).join("");
}

function hintFor(issue: z.core.$ZodIssue, key: string, path: readonly PropertyKey[]): string {
  const given = (issue as { params?: { hint?: unknown } }).params?.hint;
  if (typeof given === "string") return given;
  const eg = exampleAt(path);
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = knownKeys(issue.path.map(String));
      return `remove or rename ${issue.keys.join(", ")}${known ? `; known keys here: ${known}` : ""}`;
    }
    case "invalid_key":
      return `rename ${JSON.stringify(String(path[path.length - 1]))}: a role name is snake_case (a-z, 0-9, _), e.g. "dependency_steward"`;
    case "invalid_value":
      return `set ${key} to one of ${issue.values.map((v) => show(v)).join(", ")}`;
    case "invalid_type":
      return `set ${key} to ${article(issue.expected)}${eg}`;
    case "too_small":
      return `set ${key} to at least ${String(issue.minimum)}${eg}`;
    case "too_big":
      return `set ${key} to at most ${String(issue.maximum)}${eg}`;
    default:
      return `set ${key || "the value"} to a valid value${eg}`;
  }
}

/** ", e.g. <default>" for a scalar or a list (its first item), "" for a table or an unknown key. */
function exampleAt(path: readonly PropertyKey[]): string {
  const example = valueAt(DEFAULT_POLICY, path);
  if (Array.isArray(example)) return `, e.g. [${example.length > 0 ? show(example[0]) : ""}${example.length > 1 ? ", ..." : ""}]`;
  return example === undefined || typeof example === "object" ? "" : `, e.g. ${show(example)}`;
}

function knownKeys(path: string[]): string {
  const at = path.length === 0 ? DEFAULT_POLICY : valueAt(DEFAULT_POLICY, path);
  // The roles table takes any role name: there is no fixed list to offer.
  if (at === null || typeof at !== "object" || Array.isArray(at) || path[0] === "roles") return "";
  return Object.keys(at).join(", ");
}

function article(expected: string): string {
  if (expected === "array") return "a list";
  if (expected === "int") return "a whole number";
  if (expected === "object") return "a table";
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}
