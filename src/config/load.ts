import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseTomlText } from "../core/toml.ts";
import { z } from "zod";
import { PushpalsError } from "../core/errors.ts";
import { redactText } from "../secrets/redact.ts";
import { ConfigLayer, DEFAULT_CONFIG, PushpalsConfig, SECTIONS, TABLES_MERGED_BY_KEY, type SectionName } from "./schema.ts";

export const CONFIG_RELATIVE_PATH = join(".pushpals", "config.toml");
export const LOCAL_CONFIG_NAME = "config.local.toml";

/** Where each effective value came from, by dotted key: "default", a file path, "env NAME" or "flag --x". */
export type ConfigSources = Record<string, string>;

export interface EffectiveConfig {
  config: PushpalsConfig;
  sources: ConfigSources;
}

export interface LoadOptions {
  repoRoot: string;
  /** `<git-common-dir>/pushpals`: holds the local, uncommitted override file. */
  runtimeDir?: string;
  env?: Record<string, string | undefined>;
  /** Command-line overrides, each with the flag that set it. */
  flags?: { layer: ConfigLayer; source: string }[];
}

/**
 * The effective config, layered: defaults < `.pushpals/config.toml` (committed) < the local override
 * `<runtime>/config.local.toml` < `PUSHPALS_<SECTION>_<KEY>` environment variables < flags.
 * Each layer is parsed and validated on its own, so an error names the file or variable it came from.
 */
export function loadEffectiveConfig(options: LoadOptions): EffectiveConfig {
  const layers: { layer: ConfigLayer; source: string }[] = [];
  const committed = join(options.repoRoot, CONFIG_RELATIVE_PATH);
  if (existsSync(committed)) layers.push({ layer: parseLayer(readFileSync(committed, "utf8"), committed), source: CONFIG_RELATIVE_PATH });
  if (options.runtimeDir) {
    const local = join(options.runtimeDir, LOCAL_CONFIG_NAME);
    if (existsSync(local)) layers.push({ layer: parseLayer(readFileSync(local, "utf8"), local), source: local });
  }
  layers.push(...envLayers(options.env ?? process.env));
  layers.push(...(options.flags ?? []));
  return mergeLayers(layers);
}

/** The committed file alone on top of the defaults (what `init` and the tests reason about). */
export function loadConfig(repoRoot: string): PushpalsConfig {
  return loadEffectiveConfig({ repoRoot, env: {} }).config;
}

export function parseConfigText(text: string, path: string): PushpalsConfig {
  return mergeLayers([{ layer: parseLayer(text, path), source: path }]).config;
}

export function parseLayer(text: string, path: string): ConfigLayer {
  return validateLayer(parseTomlText(text, path), path);
}

function validateLayer(raw: unknown, where: string): ConfigLayer {
  const parsed = ConfigLayer.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw configError(parsed.error, raw, where);
}

function configError(error: z.ZodError, raw: unknown, where: string): PushpalsError {
  const issue = error.issues[0]!;
  const unknown = issue.code === "unrecognized_keys" ? issue.keys : [];
  const keyPath = [...issue.path, ...(unknown.length === 1 ? unknown : [])];
  const key = keyPath.map(String).join(".");
  const value = unknown.length > 1 ? undefined : valueAt(raw, keyPath);
  // A key named like a credential (`models.api_key = "sk-..."`, refused) never has its value echoed, and
  // no value shown keeps a credential (`base_url = "https://user:secret@host"`).
  const shown = value === undefined || NAMES_A_SECRET.test(String(keyPath.at(-1) ?? "")) ? "" : ` (got ${redactText(JSON.stringify(value))})`;
  const hint = issue.code === "unrecognized_keys" ? `remove or rename ${issue.keys.join(", ")}` : `set ${key || "the value"} to a valid value`;
  return new PushpalsError("config_invalid", `${where}: ${key ? `${key}: ` : ""}${issue.message}${shown}`, { field: key, hint });
}

const NAMES_A_SECRET = /^(key|.*(api[_-]?key|apikey|token|secret|passw|credential|authorization|bearer).*)$/i;

function mergeLayers(layers: { layer: ConfigLayer; source: string }[]): EffectiveConfig {
  const merged = structuredClone(DEFAULT_CONFIG) as Record<string, Record<string, unknown>>;
  const sources: ConfigSources = {};
  for (const [section, values] of Object.entries(DEFAULT_CONFIG)) {
    for (const [key, value] of Object.entries(values)) {
      sources[`${section}.${key}`] = "default";
      if (TABLES_MERGED_BY_KEY.has(`${section}.${key}`)) for (const inner of Object.keys(value as object)) sources[`${section}.${key}.${inner}`] = "default";
    }
  }
  for (const { layer, source } of layers) {
    for (const [section, values] of Object.entries(layer)) {
      for (const [key, value] of Object.entries(values ?? {})) {
        if (value === undefined) continue;
        sources[`${section}.${key}`] = source;
        if (TABLES_MERGED_BY_KEY.has(`${section}.${key}`)) {
          const table = merged[section]![key] as Record<string, unknown>;
          for (const [inner, innerValue] of Object.entries(value as Record<string, unknown>)) {
            if (innerValue === undefined) continue;
            table[inner] = innerValue;
            sources[`${section}.${key}.${inner}`] = source;
          }
          continue;
        }
        merged[section]![key] = value;
      }
    }
  }
  const parsed = PushpalsConfig.safeParse(merged);
  if (!parsed.success) {
    const path = parsed.error.issues[0]!.path;
    const key = path.slice(0, 2).join(".");
    throw configError(parsed.error, merged, sources[path.slice(0, 3).join(".")] ?? sources[key] ?? "config");
  }
  return { config: parsed.data, sources };
}

/**
 * `PUSHPALS_JOBS_MAX_ATTEMPTS=5` sets jobs.max_attempts; values are typed like the defaults. A list of
 * names is comma-separated (`PUSHPALS_SANDBOX_NETWORK=run,checks`, empty for none); lists of tables
 * (checks.commands) are not settable from the environment. A table merged key by key (TABLES_MERGED_BY_KEY)
 * has its keys as PUSHPALS_<SECTION>_<TABLE>_<KEY> (`PUSHPALS_MODELS_BUDGET_JOB_STEPS=20`).
 */
function envLayers(env: Record<string, string | undefined>): { layer: ConfigLayer; source: string }[] {
  const out: { layer: ConfigLayer; source: string }[] = [];
  for (const [section, values] of Object.entries(DEFAULT_CONFIG) as [SectionName, Record<string, unknown>][]) {
    const keys = Object.entries(values).flatMap(([key, fallback]): [string, unknown, string[]][] =>
      TABLES_MERGED_BY_KEY.has(`${section}.${key}`) ? Object.entries(fallback as object).map(([inner, f]) => [`${key}.${inner}`, f, [key, inner]]) : [[key, fallback, [key]]],
    );
    for (const [key, fallback, path] of keys) {
      const list = Array.isArray(fallback);
      if (list && !isListOfNames(section, key)) continue;
      const name = `PUSHPALS_${section}_${path.join("_")}`.toUpperCase();
      const text = env[name];
      if (text === undefined) continue;
      const value = list ? parseList(text) : typeof fallback === "number" ? Number(text) : typeof fallback === "boolean" ? parseBool(text) : text;
      if (typeof value === "number" && !Number.isFinite(value)) {
        throw new PushpalsError("config_invalid", `env ${name}: ${section}.${key} must be a number (got ${JSON.stringify(text)})`, {
          field: `${section}.${key}`,
          hint: `unset ${name} or give it a number`,
        });
      }
      const entry = path.length === 2 ? { [path[0]!]: { [path[1]!]: value } } : { [key]: value };
      out.push({ layer: validateLayer({ [section]: entry }, `env ${name}`), source: `env ${name}` });
    }
  }
  return out;
}

function isListOfNames(section: SectionName, key: string): boolean {
  const declared = (SECTIONS[section].shape as Record<string, z.ZodType>)[key];
  // A provider's section fills its own defaults (`[github] issue_labels`): the list is inside them.
  const schema = declared instanceof z.ZodDefault ? declared.unwrap() : declared;
  return schema instanceof z.ZodArray && (schema.element instanceof z.ZodString || schema.element instanceof z.ZodEnum);
}

function parseList(text: string): string[] {
  return text.split(",").map((item) => item.trim()).filter(Boolean);
}

function parseBool(text: string): boolean | string {
  if (/^(1|true|yes|on)$/i.test(text)) return true;
  if (/^(0|false|no|off)$/i.test(text)) return false;
  return text;
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

