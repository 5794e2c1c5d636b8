import { defineAgentCli, PROXY_CLIENT_KEY } from "./agent-cli.ts";

/**
 * OpenAI's Codex CLI: `codex exec` runs one task without asking for approvals. It speaks the Responses API
 * (`/v1/responses`; its chat-completions wire format is gone from current releases), so the server behind
 * `base_url` must serve that route. The proxy is a model provider of its own given with `-c` overrides (no
 * config file is read from the empty HOME). Codex's own command sandbox is off (`danger-full-access`): it
 * cannot nest inside bubblewrap, and PushPals' sandbox is the boundary (no network, only the checkout writable).
 */
export const codexCli = defineAgentCli({
  id: "codex",
  binary: "codex",
  summary: "OpenAI's Codex CLI (`codex exec`), through the proxy's /v1/responses; openai-compatible servers that serve the Responses API",
  providers: ["openai-compatible"],
  install: "npm install -g @openai/codex (with a prefix outside your home directory, e.g. --prefix /usr/local)",
  docs: "https://developers.openai.com/codex/noninteractive",
  argv: (run) => [
    "exec",
    "--sandbox",
    "danger-full-access",
    "--skip-git-repo-check",
    "--model",
    run.model,
    "-c",
    'model_provider="pushpals"',
    "-c",
    'model_providers.pushpals.name="PushPals model proxy"',
    "-c",
    `model_providers.pushpals.base_url="${run.proxyUrl}/v1"`,
    "-c",
    'model_providers.pushpals.env_key="OPENAI_API_KEY"',
    "-c",
    'model_providers.pushpals.wire_api="responses"',
    run.prompt,
  ],
  env: (run) => ({ OPENAI_BASE_URL: `${run.proxyUrl}/v1`, OPENAI_API_KEY: PROXY_CLIENT_KEY }),
  leftovers: [],
});
