import { defineAgentCli, PROXY_CLIENT_KEY } from "./agent-cli.ts";

/**
 * Aider: `aider --message <task>` does that one thing and exits. It never commits (PushPals makes the scoped
 * commit), never edits .gitignore, asks nothing (`--yes-always`), checks for no update and sends no analytics;
 * its chat histories go to the sandbox's /tmp. Answers are not streamed, so each carries its usage. Models are
 * named the way LiteLLM routes them (`openai/<model>`, `anthropic/<model>`). Its repository-map cache is left
 * in the checkout's root: removed after the run.
 */
export const aiderCli = defineAgentCli({
  id: "aider",
  binary: "aider",
  summary: "Aider (`aider --message`), through the proxy; openai-compatible or anthropic",
  providers: ["openai-compatible", "anthropic"],
  install: "pipx install aider-chat (with PIPX_HOME and PIPX_BIN_DIR outside your home directory, e.g. /opt/pipx and /usr/local/bin)",
  docs: "https://aider.chat/docs/scripting.html",
  argv: (run) => [
    "--message",
    run.prompt,
    "--model",
    `${run.provider === "anthropic" ? "anthropic" : "openai"}/${run.model}`,
    "--yes-always",
    "--no-auto-commits",
    "--no-dirty-commits",
    "--no-gitignore",
    "--no-check-update",
    "--no-show-release-notes",
    "--no-analytics",
    "--no-show-model-warnings",
    "--no-stream",
    "--no-pretty",
    "--chat-history-file",
    "/tmp/aider.chat.history.md",
    "--input-history-file",
    "/tmp/aider.input.history",
  ],
  env: (run): Record<string, string> =>
    run.provider === "anthropic"
      ? { ANTHROPIC_API_KEY: PROXY_CLIENT_KEY, ANTHROPIC_BASE_URL: run.proxyUrl, ANTHROPIC_API_BASE: run.proxyUrl }
      : { OPENAI_API_KEY: PROXY_CLIENT_KEY, OPENAI_API_BASE: `${run.proxyUrl}/v1`, OPENAI_BASE_URL: `${run.proxyUrl}/v1` },
  leftovers: [".aider.tags.cache.v3", ".aider.tags.cache.v4"],
});
