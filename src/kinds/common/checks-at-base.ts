import type { InstallSettings } from "../../config/check-settings.ts";
import { CONFIG_RELATIVE_PATH, parseConfigText } from "../../config/load.ts";
import { DEFAULT_CONFIG, type PushpalsConfig } from "../../config/schema.ts";
import { JobFailure } from "../../core/job-failure.ts";
import { isPushpalsError } from "../../core/errors.ts";
import { git } from "../../scm/git.ts";

export interface ChecksAtBase {
  commands: { name: string; run: string; report?: string }[];
  timeoutSeconds: number;
  install: InstallSettings;
}

/**
 * The checks a merge runs: those of the config committed at the base commit it lands on (reviewed like
 * code, and a change to `.pushpals/` is High), never a request's, nor a local override's. A run, a revert
 * and a triage read their commit's the same way.
 */
export async function checksAtBase(repoRoot: string, base: string): Promise<ChecksAtBase> {
  const config = await configAt(repoRoot, base, "its checks and install settings");
  const { install } = config;
  return {
    commands: config.checks.commands,
    timeoutSeconds: config.checks.timeout_seconds,
    install: { packageManager: install.package_manager, allowScripts: install.allow_scripts, timeoutSeconds: install.timeout_seconds },
  };
}

/** The config committed at `commit` (the defaults when it commits none); `what` says, in a refusal, what could not be known. */
export async function configAt(repoRoot: string, commit: string, what: string): Promise<PushpalsConfig> {
  const spec = `${commit}:${CONFIG_RELATIVE_PATH}`;
  const r = await git(["cat-file", "blob", spec], { cwd: repoRoot, allowFailure: true });
  if (r.exitCode !== 0) return DEFAULT_CONFIG;
  try {
    return parseConfigText(r.stdout, `${CONFIG_RELATIVE_PATH} at ${commit.slice(0, 12)}`);
  } catch (err) {
    if (!isPushpalsError(err)) throw err;
    throw new JobFailure("invalid_input", `the config committed at ${commit.slice(0, 12)} is not valid, so ${what} cannot be known: ${err.message}`, { command: `git show ${spec}` });
  }
}
