import type { Command } from "commander";

export function registerConfig(program: Command): void {
  program
    .command("config")
    .description("print the effective config and where each value came from")
    .option("--json", "machine-readable output: { config, sources }")
    .addHelpText(
      "after",
      `
Layers, lowest first: defaults, .pushpals/config.toml (committed), <git-common-dir>/pushpals/config.local.toml
(this machine only), PUSHPALS_<SECTION>_<KEY> environment variables, command-line flags.

Examples:
  pushpals config
  PUSHPALS_WORKERS_COUNT=4 pushpals config --json`,
    )
    .action(async (opts: { json?: boolean }) => {
      const { runConfig } = await import("./config-action.ts");
      await runConfig(program, opts);
    });
}
