import { SANDBOX_HOME, SANDBOX_PM_BIN } from "./sandbox-spec.ts";

/**
 * The environment a job's commands see: an allowlist, never the worker's own environment, so no
 * token or credential (GITHUB_TOKEN, NPM_TOKEN, SSH_AUTH_SOCK, cloud keys...) reaches a command or its logs.
 */
const ALLOWED = ["PATH", "LANG", "TERM", "TZ"];

function allowlisted(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && (ALLOWED.includes(key) || key.startsWith("LC_"))) env[key] = value;
  }
  env.CI = "true";
  env.GIT_TERMINAL_PROMPT = "0";
  env.GIT_CONFIG_NOSYSTEM = "1";
  return env;
}

/**
 * Inside the sandbox: HOME is an empty directory and TMPDIR the sandbox's private /tmp. The package manager
 * PushPals provides, when it binds one at `SANDBOX_PM_BIN`, comes before the worker's own on PATH.
 */
export function sandboxEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env = allowlisted();
  return { ...env, PATH: withPmBin(env.PATH), HOME: SANDBOX_HOME, TMPDIR: "/tmp", ...extra };
}

/** Without a PATH of its own the shell would search its built-in default: keep that behind the package manager's. */
const SHELL_DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

function withPmBin(path: string | undefined): string {
  return `${SANDBOX_PM_BIN}:${path ?? SHELL_DEFAULT_PATH}`;
}

/** With `sandbox.mode = "off"` only: the worker's own HOME and TMPDIR, still no credentials in the environment. */
export function commandEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env = allowlisted();
  for (const key of ["HOME", "TMPDIR"]) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return { ...env, ...extra };
}
