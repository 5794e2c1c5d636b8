import type { PushpalsConfig } from "../config/schema.ts";
import type { InstallSettings } from "../config/check-settings.ts";

/** The checks and install settings a `run` or `merge` job snapshots from the effective config at enqueue. */
export function checksSnapshot(config: PushpalsConfig): { checks: { commands: PushpalsConfig["checks"]["commands"]; timeoutSeconds: number }; install: InstallSettings } {
  const { install } = config;
  return {
    checks: { commands: config.checks.commands, timeoutSeconds: config.checks.timeout_seconds },
    install: { packageManager: install.package_manager, allowScripts: install.allow_scripts, timeoutSeconds: install.timeout_seconds },
  };
}

/** One shell command line from `-- cmd arg...`: a single argument is taken as written, several are quoted. */
export function commandLine(args: string[]): string {
  if (args.length === 1) return args[0]!;
  return args.map((a) => (/^[A-Za-z0-9_./=:@%+,-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(" ");
}
