import { afterAll, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { DEFAULT_MODELS_SETTINGS, type ModelsSettings } from "../models/models-settings.ts";
import { DEFAULT_SANDBOX_SETTINGS } from "../sandbox/sandbox-settings.ts";
import { checkModelExecutors, MODEL_EXECUTORS_CODE } from "./model-executors.ts";

const repo = tempDir("pushpals-pp016-");
mkdirSync(join(repo.path, ".git", "pushpals"), { recursive: true });
const paths = { repoRoot: repo.path, gitCommonDir: join(repo.path, ".git"), runtimeDir: join(repo.path, ".git", "pushpals"), peopleDir: join(repo.path, ".git", "pushpals-people") };
const visible = mkdtempSync("/var/tmp/pushpals-pp016-");
afterAll(() => {
  repo.cleanup();
  rmSync(visible, { recursive: true, force: true });
});

function stub(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), "#!/bin/sh\n");
  chmodSync(join(dir, name), 0o755);
  return dir;
}

const models = (executor: ModelsSettings["executor"]): ModelsSettings => ({ ...DEFAULT_MODELS_SETTINGS, provider: "openai-compatible", base_url: "http://127.0.0.1:11434/v1", model: "m", executor });
const check = (executor: ModelsSettings["executor"], path: string, sandbox = DEFAULT_SANDBOX_SETTINGS) => checkModelExecutors(models(executor), { path, sandbox, paths });

test("PP016 lists the agent CLIs usable here; the built-in loop needs none", () => {
  const bin = stub(join(visible, "bin"), "codex");
  stub(bin, "aider");
  expect(check("builtin", `${bin}:/usr/bin:/bin`)).toEqual({ code: MODEL_EXECUTORS_CODE, level: "ok", message: `executor: the built-in agent loop; agent CLIs usable here: codex (${bin}/codex), aider (${bin}/aider)` });
  expect(check("codex", bin)).toMatchObject({ level: "ok", message: expect.stringContaining(`executor: codex (${bin}/codex), run in the sandbox through the model proxy`) });
});

test("PP016 warns when the configured CLI is missing, out of the sandbox's sight, or the sandbox is off", () => {
  expect(check("codex", "/nonexistent")).toMatchObject({ level: "warn", message: expect.stringContaining("codex is not installed"), fix: expect.stringContaining("npm install -g @openai/codex") });
  // The repository's own directory is hidden from every job (and /tmp is the sandbox's own).
  const inRepo = stub(join(repo.path, "tools"), "codex");
  expect(check("codex", inRepo)).toMatchObject({ level: "warn", message: expect.stringContaining(`which the sandbox hides`), fix: expect.stringContaining("outside every home directory") });
  const off = check("codex", stub(join(visible, "off"), "codex"), { ...DEFAULT_SANDBOX_SETTINGS, mode: "off" });
  expect(off).toMatchObject({ level: "warn", message: expect.stringContaining('sandbox.mode is "off"'), fix: expect.stringContaining('models.executor = "builtin"') });
});
