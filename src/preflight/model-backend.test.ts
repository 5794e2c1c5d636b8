import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startScriptedModel, type ScriptedModel } from "../../test/helpers/scripted-model.ts";
import { DEFAULT_MODELS_SETTINGS, type ModelsSettings } from "../models/models-settings.ts";
import { runtimePathsFor } from "../runtime-dir/paths.ts";
import { checkModelBackend, MODEL_BACKEND_CODE } from "./model-backend.ts";
import { preflight } from "./preflight.ts";

const KEY = "pp-probe-key-5e1d0c9b8a7f6e5d4c3b";
const root = mkdtempSync(join(tmpdir(), "pushpals-model-backend-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const servers: ScriptedModel[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.stop();
});

function serve(models = ["qwen2.5-coder:7b"]): ScriptedModel {
  const server = startScriptedModel([], { models });
  servers.push(server);
  return server;
}

const settings = (overrides: Partial<ModelsSettings>): ModelsSettings => ({ ...DEFAULT_MODELS_SETTINGS, provider: "openai-compatible", model: "qwen2.5-coder:7b", api_key_env: "MODEL_KEY", ...overrides });

describe("PP015: the model backend", () => {
  test("no provider: one ok line saying model-backed work waits, and no request at all", async () => {
    const started = performance.now();
    const finding = await checkModelBackend(DEFAULT_MODELS_SETTINGS, { env: {} });
    expect(finding).toEqual({ code: MODEL_BACKEND_CODE, level: "ok", message: "no model configured: model-backed work waits (set [models] in .pushpals/config.toml)" });
    expect(performance.now() - started).toBeLessThan(50);
  });

  test("the model reviewer on without a provider: a warning saying reviews stay deterministic", async () => {
    const finding = await checkModelBackend({ ...DEFAULT_MODELS_SETTINGS, review: { ...DEFAULT_MODELS_SETTINGS.review, enabled: true } }, { env: {} });
    expect(finding).toMatchObject({ code: MODEL_BACKEND_CODE, level: "warn", message: "models.review.enabled is on but no model is configured: reviews run with the deterministic reviewers only" });
  });

  test("the key is read and the endpoint answers GET /models with it: ok, naming where the key came from, never the key", async () => {
    const server = serve();
    const finding = await checkModelBackend(settings({ base_url: server.url }), { env: { MODEL_KEY: KEY } });
    expect(finding.level).toBe("ok");
    expect(finding.message).toMatch(new RegExp(`^openai-compatible model "qwen2.5-coder:7b" at ${server.url} answers \\(key from env MODEL_KEY\\) in \\d+ ms$`));
    expect(JSON.stringify(finding)).not.toContain(KEY);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ method: "GET", path: "/v1/models" });
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(server.completions()).toEqual([]);
  });

  test("anthropic: the key in x-api-key with the API version; a model not listed is no warning (aliases, pages)", async () => {
    const server = serve(["claude-sonnet-4-5-20250929"]);
    const finding = await checkModelBackend(settings({ provider: "anthropic", model: "claude-sonnet-4-5", base_url: server.url }), { env: { MODEL_KEY: KEY } });
    expect(finding.level).toBe("ok");
    expect(server.requests[0]!.headers["x-api-key"]).toBe(KEY);
    expect(server.requests[0]!.headers["anthropic-version"]).toBe("2023-06-01");
  });

  test("the key cannot be read: a warning naming the variable, with the fix, and no request", async () => {
    const server = serve();
    const finding = await checkModelBackend(settings({ base_url: server.url }), { env: {} });
    expect(finding).toMatchObject({ code: MODEL_BACKEND_CODE, level: "warn", message: expect.stringContaining("MODEL_KEY, which is not set"), fix: expect.stringContaining("export MODEL_KEY=") });
    expect(server.requests).toEqual([]);
  });

  test("a key file readable by others: a warning with chmod 600, never the file's content", async () => {
    const dir = join(root, "keys");
    mkdirSync(dir, { recursive: true });
    const path = join(dir, "model.key");
    writeFileSync(path, KEY);
    chmodSync(path, 0o644);
    const finding = await checkModelBackend(settings({ api_key_env: null, api_key_file: path, base_url: "http://127.0.0.1:9/v1" }), { env: {} });
    expect(finding.level).toBe("warn");
    expect(finding.message).toContain("has mode 0644");
    expect(finding.fix).toBe(`keep the key alone in a file only you can read: chmod 600 ${path}`);
    expect(JSON.stringify(finding)).not.toContain(KEY);
  });

  test("the key is refused (401): a warning saying so and where the key came from", async () => {
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => Response.json({ error: { message: `bad key ${KEY}` } }, { status: 401 }) });
    try {
      const finding = await checkModelBackend(settings({ base_url: `http://127.0.0.1:${server.port}/v1` }), { env: { MODEL_KEY: KEY } });
      expect(finding).toMatchObject({ level: "warn", message: expect.stringContaining("refused the key (key from env MODEL_KEY) (401)"), fix: "set a valid key in the variable MODEL_KEY" });
      expect(JSON.stringify(finding)).not.toContain(KEY);
    } finally {
      server.stop(true);
    }
  });

  test("nothing listens there: a warning to start the model server or fix base_url", async () => {
    const server = serve();
    const url = server.url;
    server.stop();
    const finding = await checkModelBackend(settings({ base_url: url }), { env: { MODEL_KEY: KEY } });
    expect(finding).toMatchObject({ level: "warn", message: expect.stringContaining(`${url} does not answer`), fix: expect.stringContaining("ollama serve") });
  });

  test("an endpoint that hangs: a warning after the short timeout, not a slow doctor", async () => {
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: async () => (await Bun.sleep(5_000), new Response("late")) });
    try {
      const started = performance.now();
      const finding = await checkModelBackend(settings({ base_url: `http://127.0.0.1:${server.port}/v1` }), { env: { MODEL_KEY: KEY }, timeoutMs: 300 });
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(finding.message).toContain("no answer within 0.3 s");
    } finally {
      server.stop(true);
    }
  });

  test("404 on /models: the base URL is wrong; a model the server does not list: a warning naming what it lists", async () => {
    const server = serve(["llama3.1:8b", "qwen2.5-coder:7b"]);
    const wrongBase = await checkModelBackend(settings({ base_url: server.url.replace(/\/v1$/, "") }), { env: { MODEL_KEY: KEY } });
    expect(wrongBase).toMatchObject({ level: "warn", message: expect.stringContaining("answered 404"), fix: expect.stringContaining("/v1") });
    const missing = await checkModelBackend(settings({ base_url: server.url, model: "qwen3:32b" }), { env: { MODEL_KEY: KEY } });
    expect(missing).toMatchObject({ level: "warn", message: expect.stringContaining('does not list "qwen3:32b" (it lists "llama3.1:8b", "qwen2.5-coder:7b")'), fix: expect.stringContaining("ollama pull qwen3:32b") });
    // Ollama's default tag: "llama3.1" is served as "llama3.1:latest".
    const tagged = serve(["llama3.1:latest"]);
    expect((await checkModelBackend(settings({ base_url: tagged.url, model: "llama3.1" }), { env: { MODEL_KEY: KEY } })).level).toBe("ok");
  });

  test("preflight() reports PP015: no model configured", async () => {
    const repo = join(root, "repo");
    mkdirSync(repo);
    for (const args of [["init", "-q", "-b", "main"], ["-c", "user.email=t@example.invalid", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "initial"]]) {
      expect(Bun.spawnSync(["git", ...args], { cwd: repo }).exitCode).toBe(0);
    }
    const findings = await preflight(runtimePathsFor(repo, join(repo, ".git")), { recover: false, minFreeBytes: 0 });
    expect(findings.filter((f) => f.code === MODEL_BACKEND_CODE)).toEqual([{ code: MODEL_BACKEND_CODE, level: "ok", message: "no model configured: model-backed work waits (set [models] in .pushpals/config.toml)" }]);
  });
});
