import { noRedirects } from "../no-redirects.ts";
import { defineModelProvider } from "../model-provider.ts";

const ANTHROPIC_API = "https://api.anthropic.com/v1";
const ANTHROPIC_VERSION = "2023-06-01";

/**
 * Anthropic's Messages API. The key is required (`x-api-key`); `base_url` is optional (a proxy or
 * gateway in front of it). The base URL is always passed explicitly, so the SDK never falls back to
 * ANTHROPIC_BASE_URL or ANTHROPIC_API_KEY from the worker's environment.
 */
export const anthropicProvider = defineModelProvider({
  id: "anthropic",
  summary: "Anthropic's Messages API (Claude); needs a key (api_key_env or api_key_file), base_url optional",
  defaultBaseUrl: ANTHROPIC_API,
  listsEveryModel: false,
  proxyRoutes: [
    { method: "POST", path: "messages" },
    { method: "POST", path: "messages/count_tokens" },
    { method: "GET", path: "models" },
    { method: "GET", path: "models/:id" },
  ],
  authHeaders: (key): Record<string, string> => ({ ...(key === null ? {} : { "x-api-key": key }), "anthropic-version": ANTHROPIC_VERSION }),
  async create(connection, key) {
    if (key === null) throw new Error("anthropic: a key is required (the config schema checks it)");
    const { createAnthropic } = await import("@ai-sdk/anthropic");
    const provider = createAnthropic({ apiKey: key, baseURL: (connection.baseUrl ?? ANTHROPIC_API).replace(/\/+$/, ""), fetch: noRedirects });
    return provider.languageModel(connection.model);
  },
});
