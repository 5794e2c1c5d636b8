import { defineAgentCli, PROXY_CLIENT_KEY } from "./agent-cli.ts";

/**
 * Anthropic's Claude Code: `claude -p` (print mode) runs one task and exits. Edits are accepted
 * (`--permission-mode acceptEdits`) and the tools it needs allowed by name; nothing waits for a person.
 * In print mode ANTHROPIC_API_KEY is used without asking. Every model it would pick (the main one, the small
 * fast one for background work) is the configured model; its non-essential traffic (telemetry, updates) is off,
 * and would be refused by the proxy anyway.
 */
export const claudeCli = defineAgentCli({
  id: "claude",
  binary: "claude",
  summary: "Anthropic's Claude Code (`claude -p`), through the proxy's /v1/messages; anthropic only",
  providers: ["anthropic"],
  install: "npm install -g @anthropic-ai/claude-code (with a prefix outside your home directory, e.g. --prefix /usr/local)",
  docs: "https://code.claude.com/docs/en/headless",
  // The prompt comes right after -p: --allowedTools takes a list and would read a later word as a tool.
  argv: (run) => ["-p", run.prompt, "--model", run.model, "--permission-mode", "acceptEdits", "--allowedTools", "Bash,Edit,MultiEdit,Write,Read,Glob,Grep,LS"],
  env: (run) => ({
    ANTHROPIC_BASE_URL: run.proxyUrl,
    ANTHROPIC_API_KEY: PROXY_CLIENT_KEY,
    ANTHROPIC_MODEL: run.model,
    ANTHROPIC_SMALL_FAST_MODEL: run.model,
    ANTHROPIC_DEFAULT_HAIKU_MODEL: run.model,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_AUTOUPDATER: "1",
  }),
  leftovers: [],
});
