import type { Command } from "commander";

export function registerAudit(program: Command): void {
  const audit = program.command("audit").description("the tamper-evident audit log");

  audit
    .command("verify")
    .description("re-walk the hash chain and check it against its anchor (refs/pushpals/audit); exits 1 and names the first bad entry if any was edited, deleted, reordered, cut or rewritten")
    .addHelpText("after", '\nWorks with the server stopped (reads the database directly, read-only).\n\nExample:\n  pushpals audit verify --json')
    .option("--json", "machine-readable output")
    .action(async (opts: { json?: boolean }) => {
      const { runVerify } = await import("./audit-action.ts");
      await runVerify(program, openStore, opts);
    });

  audit
    .command("export")
    .description("write the audit log as JSONL (one entry per line, chain order)")
    .addHelpText("after", '\nExample:\n  pushpals audit export --out audit.jsonl')
    .option("--out <file>", "write here instead of standard output")
    .action(async (opts: { out?: string }) => {
      const { runExport } = await import("./audit-action.ts");
      await runExport(program, openStore, opts);
    });
}

/** The audit commands read the database when no server runs; only this file may open it (.dependency-cruiser.cjs). */
async function openStore(path: string, readonly: boolean) {
  const { SqliteStore } = await import("../../store/sqlite-store.ts");
  return readonly ? new SqliteStore(path, { readonly: true }) : new SqliteStore(path);
}
