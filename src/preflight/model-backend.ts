import { isPushpalsError } from "../core/errors.ts";
import { readModelKey } from "../models/model-key.ts";
import type { ModelsSettings } from "../models/models-settings.ts";
import { modelProviderById } from "../models/providers/registry.ts";
import { REDACTED, redactText } from "../secrets/redact.ts";
import { ok, warn, type Finding } from "./finding.ts";

export const MODEL_BACKEND_CODE = "PP015";
const PROBE_TIMEOUT_MS = 5_000;

export interface ModelBackendOptions {
  /** The workers' environment (they inherit this process's): where api_key_env is looked up. */
  env?: Record<string, string | undefined>;
  repoRoot?: string;
  timeoutMs?: number;
}

/**
 * PP015: the model backend of `[models]`. With no provider, one line and no work at all (doctor stays
 * fast). With one: whether the key can be read (never printing it) and whether the endpoint answers
 * `GET {base_url}/models` with it, within 5 s; a problem is a warning (only model-backed work waits
 * on it), with its fix in one line.
 */
export async function checkModelBackend(settings: ModelsSettings, options: ModelBackendOptions = {}): Promise<Finding> {
  if (settings.provider === null || settings.model === null) {
    if (settings.review.enabled) return warn(MODEL_BACKEND_CODE, "models.review.enabled is on but no model is configured: reviews run with the deterministic reviewers only", "set [models] provider and model, or models.review.enabled = false");
    return ok(MODEL_BACKEND_CODE, "no model configured: model-backed work waits (set [models] in .pushpals/config.toml)");
  }
  const provider = modelProviderById(settings.provider);
  const label = `${provider.id} model "${settings.model}"`;
  let key: ReturnType<typeof readModelKey>;
  try {
    key = readModelKey(settings, { env: options.env ?? process.env, ...(options.repoRoot === undefined ? {} : { repoRoot: options.repoRoot }) });
  } catch (err) {
    if (!isPushpalsError(err)) throw err;
    return warn(MODEL_BACKEND_CODE, `${label}: ${err.message}`, err.hint ?? "fix models.api_key_env or models.api_key_file");
  }
  const base = (settings.base_url ?? provider.defaultBaseUrl ?? "").replace(/\/+$/, "");
  const url = `${base}/models`;
  const keyFrom = key ? ` (key from ${key.source})` : "";
  const scrub = (text: string) => redactText(key ? text.split(key.value).join(REDACTED) : text);
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
  const started = performance.now();
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: "application/json", ...provider.authHeaders(key?.value ?? null) }, signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    const why = timedOut ? `no answer within ${timeoutMs / 1000} s` : scrub(err instanceof Error ? err.message : String(err));
    return warn(MODEL_BACKEND_CODE, `${label}: ${base} does not answer (GET ${url}: ${why})`, settings.base_url === null ? "check this machine's network and proxy settings" : `start the model server (e.g. \`ollama serve\`) or fix models.base_url`);
  }
  const ms = Math.round(performance.now() - started);
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel();
    return warn(MODEL_BACKEND_CODE, `${label}: ${base} refused the key${keyFrom} (${response.status})`, key ? `set a valid key in ${key.source.replace(/^env /, "the variable ").replace(/^file /, "the file ")}` : "the server wants a key: set models.api_key_env (or models.api_key_file)");
  }
  if (response.status === 404) {
    await response.body?.cancel();
    return warn(MODEL_BACKEND_CODE, `${label}: GET ${url} answered 404: ${base} is not the API's base URL`, "set models.base_url to the URL the API's paths start from (most servers: ending in /v1, e.g. http://127.0.0.1:11434/v1)");
  }
  if (!response.ok) {
    await response.body?.cancel();
    return warn(MODEL_BACKEND_CODE, `${label}: GET ${url} answered ${response.status}`, "check the model server's logs; model-backed jobs retry on 429 and 5xx");
  }
  const listed = await modelIds(response);
  if (provider.listsEveryModel && listed !== null && listed.length > 0 && !listed.includes(settings.model) && !listed.includes(`${settings.model}:latest`)) {
    const some = listed.slice(0, 5).map((id) => JSON.stringify(id)).join(", ");
    return warn(MODEL_BACKEND_CODE, `${label}: ${base} answers${keyFrom} but does not list "${settings.model}" (it lists ${some}${listed.length > 5 ? `, and ${listed.length - 5} more` : ""})`, `set models.model to one it serves, or fetch the model first (e.g. \`ollama pull ${settings.model}\`); a server that serves one model under any name (llama.cpp) can ignore this`);
  }
  return ok(MODEL_BACKEND_CODE, `${label} at ${base} answers${keyFrom} in ${ms} ms`);
}

/** The ids of `{ data: [{ id }] }` (OpenAI's and Anthropic's list), or null for any other body. */
async function modelIds(response: Response): Promise<string[] | null> {
  try {
    const text = await response.text();
    if (text.length > 4 * 1024 * 1024) return null;
    const body = JSON.parse(text) as { data?: unknown };
    if (!Array.isArray(body.data)) return null;
    return body.data.map((m: unknown) => (m && typeof m === "object" && typeof (m as { id?: unknown }).id === "string" ? (m as { id: string }).id : "")).filter(Boolean);
  } catch {
    return null;
  }
}
