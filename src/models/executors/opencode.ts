import { defineAgentCli, PROXY_CLIENT_KEY, type AgentCliRun } from "./agent-cli.ts";

/**
 * opencode: `opencode run <message>` runs one task. The proxy is a provider of its own in the inline
 * config (OPENCODE_CONFIG_CONTENT, which takes precedence over the global and the committed project config),
 * built on the AI SDK package of the provider's wire format; edits and commands are allowed, web fetches denied.
 */
export const opencodeCli = defineAgentCli({
  id: "opencode",
  binary: "opencode",
  summary: "opencode (`opencode run`), through the proxy; openai-compatible or anthropic",
  providers: ["openai-compatible", "anthropic"],
  install: "npm install -g opencode-ai (with a prefix outside your home directory, e.g. --prefix /usr/local)",
  docs: "https://opencode.ai/docs/cli/",
  argv: (run) => ["run", "--model", `pushpals/${run.model}`, run.prompt],
  env: (run) => ({
    OPENCODE_CONFIG_CONTENT: JSON.stringify(config(run)),
    OPENCODE_DISABLE_AUTOUPDATE: "1",
    OPENCODE_DISABLE_MODELS_FETCH: "1",
    OPENCODE_DISABLE_LSP_DOWNLOAD: "1",
  }),
  leftovers: [],
});

function config(run: AgentCliRun) {
  return {
    $schema: "https://opencode.ai/config.json",
    provider: {
      pushpals: {
        npm: run.provider === "anthropic" ? "@ai-sdk/anthropic" : "@ai-sdk/openai-compatible",
        name: "PushPals model proxy",
        options: { baseURL: `${run.proxyUrl}/v1`, apiKey: PROXY_CLIENT_KEY },
        models: { [run.model]: { name: run.model } },
      },
    },
    model: `pushpals/${run.model}`,
    small_model: `pushpals/${run.model}`,
    autoupdate: false,
    share: "disabled",
    permission: { edit: "allow", bash: "allow", webfetch: "deny" },
  };
}
