import type { Command } from "commander";
import { cliContext } from "../context.ts";
import { printJson, table } from "../format.ts";

export async function runConfig(program: Command, opts: { json?: boolean }): Promise<void> {
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
}


