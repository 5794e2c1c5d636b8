import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseToml, TomlError } from "smol-toml";
import { PushpalsError } from "../errors/pushpals-error.ts";
import { PushpalsConfig } from "./schema.ts";

export const CONFIG_RELATIVE_PATH = join(".pushpals", "config.toml");

/** Reads and validates `.pushpals/config.toml`; a missing file means all defaults. */
export function loadConfig(repoRoot: string): PushpalsConfig {
  const path = join(repoRoot, CONFIG_RELATIVE_PATH);
  if (!existsSync(path)) return PushpalsConfig.parse({});
  return parseConfigText(readFileSync(path, "utf8"), path);
}

export function parseConfigText(text: string, path: string): PushpalsConfig {
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (err) {
    const where = err instanceof TomlError ? ` at line ${err.line}, column ${err.column}` : "";
    throw new PushpalsError("config_invalid", `${path}${where}: not valid TOML: ${(err as Error).message.split("\n")[0]}`, {
      hint: "fix the syntax; see https://toml.io for the format",
    });
  }
  const parsed = PushpalsConfig.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const unknown = issue.code === "unrecognized_keys" ? issue.keys : [];
  const keyPath = [...issue.path, ...(unknown.length === 1 ? unknown : [])];
  const key = keyPath.map(String).join(".");
  const value = unknown.length > 1 ? undefined : valueAt(raw, keyPath);
  const shown = value === undefined ? "" : ` (got ${JSON.stringify(value)})`;
  const hint = issue.code === "unrecognized_keys" ? `remove or rename ${issue.keys.join(", ")}` : `set ${key || "the value"} to a valid value`;
  throw new PushpalsError("config_invalid", `${path}: ${key ? `${key}: ` : ""}${issue.message}${shown}`, { field: key, hint });
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}
