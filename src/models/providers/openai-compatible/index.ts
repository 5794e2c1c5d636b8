import { noRedirects } from "../no-redirects.ts";
import { defineModelProvider } from "../model-provider.ts";

/**
 * Any server speaking OpenAI's chat completions API: Ollama (`http://127.0.0.1:11434/v1`), vLLM,
 * llama.cpp's server, LM Studio, OpenAI itself (`https://api.openai.com/v1`). `base_url` is required;
 * the key is optional (a local server usually needs none) and goes in `Authorization: Bearer`.
 */
export const openaiCompatibleProvider = defineModelProvider({
  id: "openai-compatible",
  summary: "an OpenAI-compatible chat completions server (Ollama, vLLM, llama.cpp, LM Studio, OpenAI); needs base_url",
  defaultBaseUrl: null,
  listsEveryModel: true,
  proxyRoutes: [
    { method: "POST", path: "chat/completions", asksStreamUsage: true },
    { method: "POST", path: "completions", asksStreamUsage: true },
    { method: "POST", path: "responses" },
    { method: "GET", path: "models" },
    { method: "GET", path: "models/:id" },
  ],
  authHeaders: (key): Record<string, string> => (key === null ? {} : { authorization: `Bearer ${key}` }),
  async create(connection, key) {
    if (connection.baseUrl === null) throw new Error("openai-compatible: base_url is required (the config schema checks it)");
    const { createOpenAICompatible } = await import("@ai-sdk/openai-compatible");
    const provider = createOpenAICompatible({ name: "openai-compatible", baseURL: connection.baseUrl.replace(/\/+$/, ""), fetch: noRedirects, ...(key === null ? {} : { apiKey: key }) });
    return provider.chatModel(connection.model);
  },
});
