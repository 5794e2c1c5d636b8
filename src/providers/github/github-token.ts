import { GithubError, scrub } from "./github-error.ts";
import { TOKEN_FIX } from "./github-failure.ts";

export type GithubTokenSource = "config" | "env:PUSHPALS_GITHUB_TOKEN" | "env:GITHUB_TOKEN" | "gh";

export interface ResolveGithubTokenOptions {
  /** An explicit token (the config's local override); empty counts as unset. */
  configToken?: string | null;
  env: Record<string, string | undefined>;
  /** Ask `gh auth token` when nothing else gives a token (default true). */
  runGh?: boolean;
  /** For GitHub Enterprise: `gh auth token --hostname HOST`. */
  ghHost?: string;
  ghTimeoutMs?: number;
}

/** Where the token came from is safe to show; the token itself never is. */
export interface ResolvedGithubToken {
  token: string;
  source: GithubTokenSource;
}

/** The token from config, then PUSHPALS_GITHUB_TOKEN, then GITHUB_TOKEN, then the GitHub CLI's login. */
export async function resolveGithubToken(options: ResolveGithubTokenOptions): Promise<ResolvedGithubToken> {
  const explicit: [GithubTokenSource, string | null | undefined][] = [
    ["config", options.configToken],
    ["env:PUSHPALS_GITHUB_TOKEN", options.env.PUSHPALS_GITHUB_TOKEN],
    ["env:GITHUB_TOKEN", options.env.GITHUB_TOKEN],
  ];
  for (const [source, value] of explicit) {
    const token = value?.trim();
    if (token) return { token, source };
  }
  if (options.runGh === false) throw new GithubError("environment", `no GitHub token configured: ${TOKEN_FIX}`);
  return { token: await ghAuthToken(options), source: "gh" };
}

async function ghAuthToken(options: ResolveGithubTokenOptions): Promise<string> {
  const gh = Bun.which("gh", { PATH: options.env.PATH ?? "" });
  if (!gh) throw new GithubError("environment", `no GitHub token: none configured and the GitHub CLI (gh) is not on PATH; install gh and ${TOKEN_FIX}`);
  const timeoutMs = options.ghTimeoutMs ?? 10_000;
  const args = [gh, "auth", "token", ...(options.ghHost ? ["--hostname", options.ghHost] : [])];
  const child = Bun.spawn(args, {
    env: { ...options.env, GH_PROMPT_DISABLED: "1", NO_COLOR: "1" },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    timeout: timeoutMs,
    killSignal: "SIGKILL",
  });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  const token = stdout.trim();
  const command = `gh auth token${options.ghHost ? ` --hostname ${options.ghHost}` : ""}`;
  if (child.signalCode) throw new GithubError("environment", `\`${command}\` did not finish within ${timeoutMs} ms: ${TOKEN_FIX}`, { command });
  if (exitCode !== 0 || !token || /\s/.test(token)) {
    // gh's stderr is shown (it names the host that has no login), its stdout never is.
    const said = scrub(stderr.trim(), token).slice(0, 500);
    throw new GithubError("environment", `\`${command}\` gave no token (exit ${exitCode})${said ? `: ${said}` : ""}; ${TOKEN_FIX}`, { command, exitCode });
  }
  return token;
}
