import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../../test/helpers/temp.ts";
import { parseConfigText } from "../../config/load.ts";
import { isPushpalsError } from "../../core/errors.ts";
import { hiddenInSandbox } from "../../sandbox/visible-path.ts";
import { PROXY_CLIENT_KEY, type AgentCliRun } from "./agent-cli.ts";
import { findAgentCli } from "./find-agent-cli.ts";
import { AGENT_CLIS, agentCliById, EXECUTOR_IDS } from "./registry.ts";

const PATH = "/repo/.pushpals/config.toml";
const tmp = tempDir("pushpals-executors-");
// Under /var/tmp: what a sandbox shows (its /tmp is its own).
const visible = mkdtempSync("/var/tmp/pushpals-executors-");
afterAll(() => {
  tmp.cleanup();
  rmSync(visible, { recursive: true, force: true });
});

function program(dir: string, name: string, text: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, text);
  chmodSync(file, 0o755);
  return file;
}

const spec = (hide: string[], reveal: string[] = []) => ({ writableDir: join(tmp.path, "checkout"), hide, reveal, hideFiles: ["/etc/shadow"], readOnlyMounts: [] });

describe("models.executor", () => {
  test("builtin by default; each CLI only with a provider whose API it speaks", () => {
    expect(EXECUTOR_IDS).toEqual(["builtin", "codex", "claude", "opencode", "aider"]);
    expect(parseConfigText("", PATH).models.executor).toBe("builtin");
    const ollama = '[models]\nprovider = "openai-compatible"\nbase_url = "http://127.0.0.1:11434/v1"\nmodel = "m"\n';
    expect(parseConfigText(`${ollama}executor = "codex"\n`, PATH).models.executor).toBe("codex");
    for (const [text, message] of [
      [`${ollama}executor = "claude"\n`, 'claude speaks only the anthropic API: set models.provider to "anthropic"'],
      [`${ollama}executor = "cursor"\n`, "models.executor"],
    ] as const) {
      try {
        parseConfigText(text, PATH);
        throw new Error("not refused");
      } catch (err) {
        expect(isPushpalsError(err, "config_invalid")).toBe(true);
        expect((err as Error).message).toContain(message);
      }
    }
    expect(() => agentCliById("nope")).toThrow(/unknown agent CLI/);
  });

  test("every CLI is pointed at the proxy with the dummy key only, and gets the task as one argument", () => {
    for (const cli of AGENT_CLIS) {
      for (const provider of cli.providers) {
        const run: AgentCliRun = { prompt: "You are careful.\nThe task: fix it; $(rm -rf /) 'x'", model: "m-1", provider, proxyUrl: "http://127.0.0.1:3128" };
        const argv = cli.argv(run);
        expect(argv.filter((a) => a === run.prompt)).toHaveLength(1);
        const env: Record<string, string> = cli.env(run);
        const keys = Object.entries(env).filter(([name]) => /KEY/.test(name));
        for (const [, value] of keys) expect(value).toBe(PROXY_CLIENT_KEY);
        // opencode takes its key in its inline config.
        if (cli.id === "opencode") expect(JSON.parse(env.OPENCODE_CONFIG_CONTENT!).provider.pushpals.options.apiKey).toBe(PROXY_CLIENT_KEY);
        else expect(keys.length).toBeGreaterThan(0);
        const urls = [...Object.values(env), ...argv].join("\n").match(/https?:\/\/[^\s"',}]+/g) ?? [];
        for (const url of urls.filter((u) => !u.startsWith("https://opencode.ai/config.json"))) expect(url).toStartWith("http://127.0.0.1:3128");
      }
    }
    expect(agentCliById("codex").argv({ prompt: "p", model: "m", provider: "openai-compatible", proxyUrl: "http://127.0.0.1:3128" }).slice(0, 1)).toEqual(["exec"]);
    expect(agentCliById("claude").argv({ prompt: "p", model: "m", provider: "anthropic", proxyUrl: "http://127.0.0.1:3128" }).slice(0, 2)).toEqual(["-p", "p"]);
    expect(agentCliById("opencode").argv({ prompt: "p", model: "m", provider: "anthropic", proxyUrl: "http://127.0.0.1:3128" })[0]).toBe("run");
    expect(agentCliById("aider").argv({ prompt: "p", model: "m", provider: "anthropic", proxyUrl: "http://127.0.0.1:3128" }).slice(0, 2)).toEqual(["--message", "p"]);
  });
});

describe("hiddenInSandbox", () => {
  test("the deepest hidden or revealed directory decides; /tmp is the sandbox's own; the checkout is visible", () => {
    const s = spec(["/home", "/home/me"], ["/home/me/.local/bin"]);
    expect(hiddenInSandbox("/usr/bin/node", s)).toBeNull();
    expect(hiddenInSandbox("/home/me/.local/bin/claude", s)).toBeNull();
    expect(hiddenInSandbox("/home/me/.local/share/claude/cli.js", s)).toBe("it is under /home/me, which the sandbox hides");
    expect(hiddenInSandbox("/tmp/bin/codex", s)).toContain("under /tmp, which is the sandbox's own");
    expect(hiddenInSandbox(join(tmp.path, "checkout", "bin", "x"), s)).toBeNull();
    expect(hiddenInSandbox("/etc/shadow", s)).toContain("hidden");
    // The same directory hidden and revealed: revealed (bwrap mounts the reveal after the hide).
    expect(hiddenInSandbox("/opt/tools/x", spec(["/opt/tools"], ["/opt/tools"]))).toBeNull();
  });
});

describe("findAgentCli", () => {
  test("on PATH and visible in the sandbox: found, with its script's interpreter", () => {
    const bin = join(visible, "ok", "bin");
    program(bin, "codex", "#!/usr/bin/env node\n");
    const found = findAgentCli(agentCliById("codex"), { path: `${bin}:/usr/bin:/bin`, hidden: (p) => hiddenInSandbox(p, spec([])) });
    expect(found).toEqual({ found: true, path: join(bin, "codex"), real: join(bin, "codex") });
  });

  test("missing, hidden, under /tmp, or run by a hidden interpreter: each says why and how to fix it", () => {
    const codex = agentCliById("codex");
    expect(findAgentCli(codex, { path: "/nonexistent", hidden: null })).toMatchObject({ found: false, why: "codex is not installed (not on PATH)", fix: expect.stringContaining("npm install -g @openai/codex") });

    const home = join(visible, "home");
    const inHome = join(home, ".npm", "bin");
    program(inHome, "codex", "#!/bin/sh\n");
    const hiddenHome = findAgentCli(codex, { path: inHome, hidden: (p) => hiddenInSandbox(p, spec([home])) });
    expect(hiddenHome).toMatchObject({ found: false, why: expect.stringContaining(`cannot be run in the sandbox: it is under ${home}, which the sandbox hides`), fix: expect.stringContaining("outside every home directory") });

    const inTmp = join(tmp.path, "bin");
    program(inTmp, "codex", "#!/bin/sh\n");
    expect(findAgentCli(codex, { path: inTmp, hidden: (p) => hiddenInSandbox(p, spec([])) })).toMatchObject({ found: false, why: expect.stringContaining("the sandbox's own") });
    // Unconfined nothing is hidden.
    expect(findAgentCli(codex, { path: inTmp, hidden: null }).found).toBe(true);

    const interp = program(join(home, "node", "bin"), "node", "#!/bin/sh\n");
    const shown = join(visible, "shown", "bin");
    program(shown, "codex", `#!${interp}\n`);
    expect(findAgentCli(codex, { path: shown, hidden: (p) => hiddenInSandbox(p, spec([home])) })).toMatchObject({ found: false, why: expect.stringContaining(`is run by ${interp}, which cannot be run in the sandbox`) });
    program(shown, "aider", "#!/usr/bin/env no-such-python-here\n");
    expect(findAgentCli(agentCliById("aider"), { path: shown, hidden: (p) => hiddenInSandbox(p, spec([])) })).toMatchObject({ found: false, why: expect.stringContaining("no-such-python-here, which is not installed") });
  });
});
