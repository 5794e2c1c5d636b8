import { isAbsolute } from "node:path";
import { z } from "zod";
import { agentCliById, BUILTIN_EXECUTOR, EXECUTOR_IDS } from "./executors/registry.ts";
import { MODEL_PROVIDER_IDS } from "./providers/registry.ts";
import { DEFAULT_MODEL_REVIEW_SETTINGS, ModelReviewSettings } from "./review-settings.ts";

/**
 * The `[models]` config section (issue #19): which model backend the workers call, how, and the budgets
 * a model-backed job runs under. No key is ever a config value: the section names where the key is
 * (an environment variable of the worker, or a private file), and src/models/model-key.ts reads it
 * host-side. The config schema (src/config/schema.ts) takes this section as it is.
 */

/** The NAME of an environment variable (upper case, like every variable that holds a key). */
export const EnvVarName = z.string().regex(/^[A-Z_][A-Z0-9_]{0,127}$/, 'must be the name of an environment variable such as "OPENAI_API_KEY" (upper case, digits and _), not a key');

/**
 * Variables that hold PushPals' own credentials or the GitHub token: never sent to a model backend,
 * whatever a config says (a reviewed config cannot turn the model endpoint into a way out for them).
 */
const FOREIGN_CREDENTIALS = /^(PUSHPALS_.*|GITHUB_TOKEN|GH_TOKEN|GH_ENTERPRISE_TOKEN|GITHUB_ENTERPRISE_TOKEN)$/;

/** Variables every sandboxed command sees (src/sandbox/command-env.ts): a key in one would reach them all. */
const SANDBOX_VISIBLE = /^(PATH|LANG|TERM|TZ|LC_.*|HOME|TMPDIR|CI)$/;

const KeyEnv = EnvVarName.refine((name) => !FOREIGN_CREDENTIALS.test(name), "must name a variable of its own for the model key: PUSHPALS_* variables and the GitHub token are never sent to a model backend").refine(
  (name) => !SANDBOX_VISIBLE.test(name),
  "must name a variable of its own for the model key: PATH, LANG, TERM, TZ, LC_*, HOME, TMPDIR and CI reach every sandboxed command",
);

const KeyFile = z
  .string()
  .min(2)
  .max(4096)
  .refine((path) => isAbsolute(path) && !path.includes("\0"), "must be an absolute path (the file is read by the worker, wherever it runs)");

/** A model id as providers spell them (`qwen2.5-coder:7b`, `meta-llama/Llama-3.1-8B-Instruct`, `claude-sonnet-4-5`). */
const ModelId = z
  .string()
  .min(1)
  .max(160)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$/, 'must be a model id such as "qwen2.5-coder:7b" or "claude-sonnet-4-5" (letters, digits and . _ : / @ + -)');

const BaseUrl = z
  .url({ protocol: /^https?$/, error: "must be an http(s) URL such as http://127.0.0.1:11434/v1" })
  .max(2048)
  .refine((value) => {
    const url = URL.parse(value);
    return url === null || (url.username === "" && url.password === "");
  }, "must not carry credentials: name the key's variable in api_key_env (or its file in api_key_file)")
  .refine((value) => {
    const url = URL.parse(value);
    return url === null || (url.search === "" && url.hash === "");
  }, "must not have a query or a fragment (requests append their path to it, such as /chat/completions)");

export const ModelPrices = z.strictObject({
  /** USD per million input tokens (0: a local model costs nothing). */
  input_per_mtok: z.number().nonnegative().max(100_000),
  /** USD per million output tokens. */
  output_per_mtok: z.number().nonnegative().max(100_000),
});
export type ModelPrices = z.infer<typeof ModelPrices>;

/** What one model-backed job, and all of them together in a day, may spend; and when a job is going in circles. */
export const ModelBudget = z.strictObject({
  job_wall_seconds: z.number().int().min(1).max(7 * 86_400),
  job_tokens: z.number().int().min(1).max(1_000_000_000),
  job_cost_usd: z.number().nonnegative().max(1_000_000),
  job_steps: z.number().int().min(1).max(100_000),
  day_tokens: z.number().int().min(1).max(100_000_000_000),
  day_cost_usd: z.number().nonnegative().max(1_000_000),
  /** The same command (or the same diff) this many times in a row is a loop. */
  loop_repeats: z.number().int().min(2).max(1000),
  /** This many steps in a row without a change or new output is no progress. */
  no_progress_steps: z.number().int().min(1).max(100_000),
});
export type ModelBudget = z.infer<typeof ModelBudget>;

/** An unknown key under [models] that looks like it holds a key value (`api_key`, `token`, `secret`...). */
export function isKeyLikeField(name: string): boolean {
  return /^(key|.*(api[_-]?key|apikey|token|secret|passw|credential|authorization|bearer).*)$/i.test(name);
}

const KEY_IN_CONFIG =
  'a key value is never a config key (the config is committed and its values are shown): name the environment variable that holds it with api_key_env = "OPENAI_API_KEY", or a private file with api_key_file = "/home/you/.config/pushpals/model.key" (chmod 600)';

const sectionError = (issue: { code: string; keys?: string[] }) => (issue.code === "unrecognized_keys" && issue.keys?.some(isKeyLikeField) ? KEY_IN_CONFIG : undefined);

const SHAPE = {
  /** null: no model; model-backed work waits. */
  provider: z.enum(MODEL_PROVIDER_IDS).nullable(),
  /** Who carries out model-backed work: the built-in agent loop, or an agent CLI run in the sandbox through the model proxy. */
  executor: z.enum(EXECUTOR_IDS),
  /** Required for openai-compatible; plain http only on loopback unless allow_insecure_http. */
  base_url: BaseUrl.nullable(),
  model: ModelId.nullable(),
  api_key_env: KeyEnv.nullable(),
  api_key_file: KeyFile.nullable(),
  /** Allow plain http to a host other than loopback (a model server on the LAN): the key and the code travel unencrypted. */
  allow_insecure_http: z.boolean(),
  request_timeout_seconds: z.number().int().min(1).max(3600),
  max_output_tokens: z.number().int().min(1).max(1_000_000),
  /** Retries of one request on 429, 5xx and network errors (exponential backoff with jitter, Retry-After honoured, at most 30 s apart). */
  retries: z.number().int().min(0).max(10),
  prices: ModelPrices,
  budget: ModelBudget,
  /** The model-backed reviewer (review-settings.ts), off by default. */
  review: ModelReviewSettings,
};

/** The section's keys without the rules across them (a layer may set any subset). */
const ModelsSection = z.strictObject(SHAPE, { error: sectionError });

/** A layer's `[models]`: any subset, `[models.prices]` and `[models.budget]` key by key too (merged over the lower layers). */
export const ModelsLayer = z.strictObject({ ...SHAPE, prices: ModelPrices.partial(), budget: ModelBudget.partial(), review: ModelReviewSettings.partial() }, { error: sectionError }).partial();
export type ModelsLayer = z.infer<typeof ModelsLayer>;

export const ModelsSettings = ModelsSection.superRefine((s, ctx) => {
  const at = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
  if (s.api_key_env !== null && s.api_key_file !== null) at("api_key_file", "set api_key_env or api_key_file, not both");
  if (s.base_url !== null && !s.allow_insecure_http && !secureOrLoopback(s.base_url)) {
    at("base_url", "must be https (plain http only to 127.0.0.1, ::1 or localhost); for a model server on a trusted network set models.allow_insecure_http = true");
  }
  if (s.provider === null) return;
  if (s.model === null) at("provider", `needs models.model: the model to call, e.g. ${s.provider === "anthropic" ? '"claude-sonnet-4-5"' : '"qwen2.5-coder:7b"'}`);
  if (s.provider === "openai-compatible" && s.base_url === null) at("provider", 'openai-compatible needs models.base_url: the server\'s URL, e.g. "http://127.0.0.1:11434/v1" (Ollama) or "https://api.openai.com/v1"');
  if (s.provider === "anthropic" && s.api_key_env === null && s.api_key_file === null) at("provider", 'anthropic needs a key: api_key_env = "ANTHROPIC_API_KEY" (or api_key_file)');
  if (s.executor !== BUILTIN_EXECUTOR) {
    const cli = agentCliById(s.executor);
    if (!(cli.providers as readonly string[]).includes(s.provider)) at("executor", `${cli.id} speaks only the ${cli.providers.join(" or ")} API: set models.provider to ${cli.providers.map((p) => `"${p}"`).join(" or ")}, or choose another executor`);
  }
});
export type ModelsSettings = z.infer<typeof ModelsSettings>;

export const DEFAULT_MODELS_SETTINGS: ModelsSettings = {
  provider: null,
  executor: BUILTIN_EXECUTOR,
  base_url: null,
  model: null,
  api_key_env: null,
  api_key_file: null,
  allow_insecure_http: false,
  request_timeout_seconds: 120,
  max_output_tokens: 4096,
  retries: 3,
  prices: { input_per_mtok: 0, output_per_mtok: 0 },
  budget: {
    job_wall_seconds: 1800,
    job_tokens: 300_000,
    job_cost_usd: 2,
    job_steps: 40,
    day_tokens: 3_000_000,
    day_cost_usd: 20,
    loop_repeats: 3,
    no_progress_steps: 8,
  },
  review: { ...DEFAULT_MODEL_REVIEW_SETTINGS },
};

/** `[models.prices]`, `[models.budget]` and `[models.review]`: a higher layer sets their keys one by one (src/config/load.ts). */
export const MODELS_TABLES_MERGED_BY_KEY = ["prices", "budget", "review"] as const;

function secureOrLoopback(value: string): boolean {
  const url = URL.parse(value);
  if (url === null || url.protocol === "https:") return true;
  const host = url.hostname;
  return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
