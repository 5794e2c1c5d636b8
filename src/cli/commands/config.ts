import type { Command } from "commander";
import { cliContext } from "../context.ts";
import { printJson, table } from "../format.ts";

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
      const ctx = await cliContext(program.opts());
      const { config, sources } = ctx.effectiveConfig();
      if (opts.json) return printJson({ config, sources });
      const rows = [["KEY", "VALUE", "FROM"]];
      for (const [section, values] of Object.entries(config)) {
        for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
          const shown = Array.isArray(value) ? value.map((v) => (typeof v === "object" && v && "name" in v ? String(v.name) : JSON.stringify(v))).join(", ") || "[]" : JSON.stringify(value);
          rows.push([`${section}.${key}`, shown, sources[`${section}.${key}`] ?? "default"]);
        }
      }
      process.stdout.write(`${table(rows)}\n`);
    });
}
