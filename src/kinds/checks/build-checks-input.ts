import type { PushpalsConfig } from "../../config/schema.ts";
import { PushpalsError } from "../../core/errors.ts";
import type { ChecksInput } from "./checks-input.ts";
import { git } from "../../scm/git.ts";

/** Builds a `checks` job input: the ref resolved to an exact commit, the commands snapshotted from config. */
export async function buildChecksInput(repoRoot: string, config: PushpalsConfig, ref: string): Promise<ChecksInput> {
  if (config.checks.commands.length === 0) {
    throw new PushpalsError("config_invalid", "no check commands are configured", {
      field: "checks.commands",
      hint: 'add [[checks.commands]] entries (name = "test", run = "npm test") to .pushpals/config.toml',
    });
  }
  const resolved = await git(["rev-parse", "--verify", "--end-of-options", `${ref}^{commit}`], { cwd: repoRoot, allowFailure: true });
  if (resolved.exitCode !== 0) {
    throw new PushpalsError("invalid_input", `"${ref}" is not a commit in this repository`, { field: "commit", hint: "pass a branch, tag or SHA that exists" });
  }
  const { install } = config;
  const branch = await git(["rev-parse", "--verify", "--quiet", "--end-of-options", `refs/heads/${ref}`], { cwd: repoRoot, allowFailure: true });
  return {
    commit: resolved.stdout.trim(),
    ...(branch.exitCode === 0 ? { branch: ref } : {}),
    commands: config.checks.commands,
    timeoutSeconds: config.checks.timeout_seconds,
    install: { packageManager: install.package_manager, allowScripts: install.allow_scripts, timeoutSeconds: install.timeout_seconds },
  };
}
