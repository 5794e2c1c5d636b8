/**
 * The environment a job's commands see: an allowlist, never the worker's own environment, so no
 * token or credential (GITHUB_TOKEN, NPM_TOKEN, cloud keys...) reaches a command or its logs.
 */
const ALLOWED = ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "LC_CTYPE", "TERM", "TZ", "TMPDIR"];

export function commandEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ALLOWED) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  env.CI = "true";
  env.GIT_TERMINAL_PROMPT = "0";
  env.GIT_CONFIG_NOSYSTEM = "1";
  return { ...env, ...extra };
}
