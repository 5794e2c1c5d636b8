import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { CONFIG_RELATIVE_PATH, LOCAL_CONFIG_NAME, loadEffectiveConfig, parseConfigText } from "../config/load.ts";
import { isPushpalsError, type PushpalsError } from "../core/errors.ts";
import { DEFAULT_MODELS_SETTINGS, isKeyLikeField, ModelsSettings } from "./models-settings.ts";
import { MODEL_PROVIDER_IDS, modelProviderById } from "./providers/registry.ts";

const PATH = "/repo/.pushpals/config.toml";

function refusal(text: string): PushpalsError {
  try {
    parseConfigText(text, PATH);
  } catch (err) {
    if (isPushpalsError(err, "config_invalid")) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

const OLLAMA = '[models]\nprovider = "openai-compatible"\nbase_url = "http://127.0.0.1:11434/v1"\nmodel = "qwen2.5-coder:7b"\n';

describe("[models]", () => {
  test("the defaults: no model, a local model's prices (0), the budgets", () => {
    expect(parseConfigText("", PATH).models).toEqual(DEFAULT_MODELS_SETTINGS);
    expect(ModelsSettings.parse(DEFAULT_MODELS_SETTINGS)).toEqual(DEFAULT_MODELS_SETTINGS);
    expect(DEFAULT_MODELS_SETTINGS).toMatchObject({ provider: null, request_timeout_seconds: 120, max_output_tokens: 4096, retries: 3, prices: { input_per_mtok: 0, output_per_mtok: 0 } });
    expect(DEFAULT_MODELS_SETTINGS.budget).toEqual({ job_wall_seconds: 1800, job_tokens: 300_000, job_cost_usd: 2, job_steps: 40, day_tokens: 3_000_000, day_cost_usd: 20, loop_repeats: 3, no_progress_steps: 8 });
  });

  test("the provider ids are the registry's, each with a summary", () => {
    expect(MODEL_PROVIDER_IDS).toEqual(["openai-compatible", "anthropic"]);
    for (const id of MODEL_PROVIDER_IDS) expect(modelProviderById(id).summary.length).toBeGreaterThan(10);
    expect(() => modelProviderById("openai")).toThrow(/unknown model provider "openai"/);
  });

  test("a local Ollama, and Anthropic with a key variable, are read as written", () => {
    expect(parseConfigText(`${OLLAMA}[models.prices]\ninput_per_mtok = 0.5\n`, PATH).models).toEqual({
      ...DEFAULT_MODELS_SETTINGS,
      provider: "openai-compatible",
      base_url: "http://127.0.0.1:11434/v1",
      model: "qwen2.5-coder:7b",
      prices: { input_per_mtok: 0.5, output_per_mtok: 0 },
    });
    const anthropic = parseConfigText('[models]\nprovider = "anthropic"\nmodel = "claude-sonnet-4-5"\napi_key_env = "ANTHROPIC_API_KEY"\n[models.budget]\njob_steps = 10\n', PATH).models;
    expect(anthropic).toMatchObject({ provider: "anthropic", base_url: null, api_key_env: "ANTHROPIC_API_KEY", budget: { ...DEFAULT_MODELS_SETTINGS.budget, job_steps: 10 } });
  });

  for (const field of ["api_key", "key", "token", "secret", "password", "apiKey", "openai_api_key", "auth_token"]) {
    test(`a key value in the config (${field}) is refused, saying to use api_key_env or api_key_file, without echoing it`, () => {
      const err = refusal(`${OLLAMA}${field} = "sk-live-abcdefghijklmnopqrstuvwxyz0123"\n`);
      expect(err.field).toBe(`models.${field}`);
      expect(err.message).toContain("api_key_env");
      expect(err.message).toContain("api_key_file");
      expect(err.message).not.toContain("abcdefghij");
      expect(err.hint).not.toContain("abcdefghij");
    });
  }

  test("a key value is refused in the local override too, naming that file", () => {
    const dir = tempDir();
    try {
      mkdirSync(join(dir.path, "runtime"));
      writeFileSync(join(dir.path, "runtime", LOCAL_CONFIG_NAME), '[models]\napi_key = "hunter2hunter2"\n');
      let message = "";
      try {
        loadEffectiveConfig({ repoRoot: dir.path, runtimeDir: join(dir.path, "runtime"), env: {} });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toContain(join(dir.path, "runtime", LOCAL_CONFIG_NAME));
      expect(message).toContain("api_key_env");
      expect(message).not.toContain("hunter2");
    } finally {
      dir.cleanup();
    }
  });

  test("isKeyLikeField: the names a key would go under, not the section's own keys", () => {
    for (const name of ["api_key", "API_KEY", "key", "token", "access_token", "secret", "client_secret", "password", "passwd", "credentials", "authorization", "bearer"]) expect(isKeyLikeField(name)).toBe(true);
    for (const name of ["model", "base_url", "provider", "keys_dir", "monkey", "retries"]) expect(isKeyLikeField(name)).toBe(false);
  });

  for (const [name, why] of [
    ["sk-abc123", /name of an environment variable/],
    ["openai_api_key", /name of an environment variable/],
    ["1KEY", /name of an environment variable/],
    ["PUSHPALS_GITHUB_TOKEN", /never sent to a model backend/],
    ["GITHUB_TOKEN", /never sent to a model backend/],
    ["PUSHPALS_CREDENTIAL_FD", /never sent to a model backend/],
    ["LANG", /reach every sandboxed command/],
    ["LC_MODEL_KEY", /reach every sandboxed command/],
  ] as const) {
    test(`api_key_env = ${JSON.stringify(name)} is refused`, () => {
      const err = refusal(`${OLLAMA}api_key_env = ${JSON.stringify(name)}\n`);
      expect(err.field).toBe("models.api_key_env");
      expect(err.message).toMatch(why);
    });
  }

  test("api_key_file must be absolute; api_key_env and api_key_file are not both set", () => {
    expect(refusal(`${OLLAMA}api_key_file = "keys/model.key"\n`).message).toMatch(/models\.api_key_file: must be an absolute path/);
    const both = refusal(`${OLLAMA}api_key_env = "OPENAI_API_KEY"\napi_key_file = "/home/me/model.key"\n`);
    expect(both.field).toBe("models.api_key_file");
    expect(both.message).toContain("not both");
  });

  test("plain http only to loopback unless allow_insecure_http; https anywhere", () => {
    for (const url of ["http://127.0.0.1:8000/v1", "http://localhost:11434/v1", "http://[::1]:8080/v1", "http://127.0.0.2/v1", "https://api.openai.com/v1"]) {
      expect(parseConfigText(`[models]\nprovider = "openai-compatible"\nmodel = "m"\nbase_url = "${url}"\n`, PATH).models.base_url).toBe(url);
    }
    const err = refusal('[models]\nprovider = "openai-compatible"\nmodel = "m"\nbase_url = "http://10.0.0.5:8000/v1"\n');
    expect(err.field).toBe("models.base_url");
    expect(err.message).toContain("allow_insecure_http = true");
    expect(err.message).toContain(PATH);
    expect(parseConfigText('[models]\nprovider = "openai-compatible"\nmodel = "m"\nbase_url = "http://10.0.0.5:8000/v1"\nallow_insecure_http = true\n', PATH).models.base_url).toBe("http://10.0.0.5:8000/v1");
  });

  for (const [url, why] of [
    ["ftp://127.0.0.1/v1", /http\(s\) URL/],
    ["not a url", /http\(s\) URL/],
    ["https://user:sk-secret@api.example.com/v1", /must not carry credentials/],
    ["https://api.example.com/v1?key=abc", /query or a fragment/],
  ] as const) {
    test(`base_url = ${JSON.stringify(url)} is refused`, () => {
      const err = refusal(`[models]\nprovider = "openai-compatible"\nmodel = "m"\nbase_url = ${JSON.stringify(url)}\n`);
      expect(err.field).toBe("models.base_url");
      expect(err.message).toMatch(why);
      expect(err.message).not.toContain("sk-secret");
    });
  }

  test("a provider needs a model; openai-compatible a base_url; anthropic a key source", () => {
    const noModel = refusal('[models]\nprovider = "openai-compatible"\nbase_url = "http://127.0.0.1:11434/v1"\n');
    expect(noModel.field).toBe("models.provider");
    expect(noModel.message).toContain("needs models.model");
    expect(noModel.message).toContain(PATH);
    expect(refusal('[models]\nprovider = "openai-compatible"\nmodel = "m"\n').message).toContain("needs models.base_url");
    expect(refusal('[models]\nprovider = "anthropic"\nmodel = "claude-sonnet-4-5"\n').message).toContain("anthropic needs a key");
    expect(refusal('[models]\nprovider = "openai"\n').field).toBe("models.provider");
    expect(refusal(`${OLLAMA}model = "two words"\n`.replace('model = "qwen2.5-coder:7b"\n', "")).field).toBe("models.model");
  });

  test("numbers are bounded; [models.prices] and [models.budget] are strict", () => {
    expect(refusal(`${OLLAMA}retries = 11\n`).field).toBe("models.retries");
    expect(refusal(`${OLLAMA}request_timeout_seconds = 0\n`).field).toBe("models.request_timeout_seconds");
    expect(refusal("[models.prices]\ninput_per_mtok = -1\n").field).toBe("models.prices.input_per_mtok");
    expect(refusal("[models.budget]\nloop_repeats = 1\n").field).toBe("models.budget.loop_repeats");
    expect(refusal("[models.budget]\njob_step = 10\n").field).toBe("models.budget.job_step");
  });
});

describe("[models] layers", () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
    mkdirSync(join(dir.path, ".pushpals"), { recursive: true });
    mkdirSync(join(dir.path, "runtime"), { recursive: true });
  });
  afterEach(() => dir.cleanup());

  test("the provider in the committed file, the model and a budget key in the local override, a price from the environment: merged key by key", () => {
    writeFileSync(join(dir.path, CONFIG_RELATIVE_PATH), `${OLLAMA}[models.budget]\nday_cost_usd = 5\njob_steps = 20\n`);
    writeFileSync(join(dir.path, "runtime", LOCAL_CONFIG_NAME), '[models]\nmodel = "llama3.1:8b"\n[models.budget]\njob_steps = 30\n');
    const { config, sources } = loadEffectiveConfig({
      repoRoot: dir.path,
      runtimeDir: join(dir.path, "runtime"),
      env: { PUSHPALS_MODELS_PRICES_OUTPUT_PER_MTOK: "1.5", PUSHPALS_MODELS_RETRIES: "1", PUSHPALS_MODELS_API_KEY_ENV: "OPENAI_API_KEY" },
    });
    expect(config.models).toMatchObject({ provider: "openai-compatible", model: "llama3.1:8b", retries: 1, api_key_env: "OPENAI_API_KEY", prices: { input_per_mtok: 0, output_per_mtok: 1.5 } });
    // The committed day_cost_usd stays: the local override's [models.budget] sets only job_steps.
    expect(config.models.budget).toEqual({ ...DEFAULT_MODELS_SETTINGS.budget, day_cost_usd: 5, job_steps: 30 });
    expect(sources["models.provider"]).toBe(CONFIG_RELATIVE_PATH);
    expect(sources["models.model"]).toBe(join(dir.path, "runtime", LOCAL_CONFIG_NAME));
    expect(sources["models.budget.day_cost_usd"]).toBe(CONFIG_RELATIVE_PATH);
    expect(sources["models.budget.job_steps"]).toBe(join(dir.path, "runtime", LOCAL_CONFIG_NAME));
    expect(sources["models.budget.job_tokens"]).toBe("default");
    expect(sources["models.prices.output_per_mtok"]).toBe("env PUSHPALS_MODELS_PRICES_OUTPUT_PER_MTOK");
    expect(sources["models.retries"]).toBe("env PUSHPALS_MODELS_RETRIES");
  });

  test("a rule across keys names the layer that set the key: an insecure base_url from the environment", () => {
    writeFileSync(join(dir.path, CONFIG_RELATIVE_PATH), OLLAMA);
    expect(() => loadEffectiveConfig({ repoRoot: dir.path, env: { PUSHPALS_MODELS_BASE_URL: "http://192.168.1.9:8000/v1" } })).toThrow(/^env PUSHPALS_MODELS_BASE_URL: models\.base_url: must be https/);
    expect(() => loadEffectiveConfig({ repoRoot: dir.path, env: { PUSHPALS_MODELS_BUDGET_JOB_STEPS: "many" } })).toThrow('env PUSHPALS_MODELS_BUDGET_JOB_STEPS: models.budget.job_steps must be a number (got "many")');
    expect(loadEffectiveConfig({ repoRoot: dir.path, env: { PUSHPALS_MODELS_BUDGET_JOB_STEPS: "12" } }).config.models.budget.job_steps).toBe(12);
  });
});
