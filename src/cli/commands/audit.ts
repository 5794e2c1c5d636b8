import type { Command } from "commander";
import { createWriteStream } from "node:fs";
import { existsSync } from "node:fs";
import { routes } from "../../api/routes.ts";
import { exportAuditJsonl } from "../../audit/audit-log.ts";
import { verifyAnchoredAudit } from "../../audit/verify-anchored.ts";
import type { AuditVerdict } from "../../audit/chain.ts";
import { isPushpalsError } from "../../core/errors.ts";
import { SqliteStore } from "../../store/sqlite-store.ts";
import { cliContext, type CliContext } from "../context.ts";
import { EXIT } from "../exit-codes.ts";
import { printJson } from "../format.ts";
import { visible } from "../safe-text.ts";

export function registerAudit(program: Command): void {
  const audit = program.command("audit").description("the tamper-evident audit log");

  audit
    .command("verify")
    .description("re-walk the hash chain and check it against its anchor (refs/pushpals/audit); exits 1 and names the first bad entry if any was edited, deleted, reordered, cut or rewritten")
    .addHelpText("after", '\nWorks with the server stopped (reads the database directly, read-only).\n\nExample:\n  pushpals audit verify --json')
    .option("--json", "machine-readable output")
    .action(async (opts: { json?: boolean }) => {
      const ctx = await cliContext(program.opts());
      const verdict = await viaServerOrStore(
        ctx,
        () => ctx.client.call(routes.verifyAudit),
        (store) => verifyAnchoredAudit(store, ctx.paths.repoRoot),
      );
      if (opts.json) printJson(verdict);
      else if (verdict.ok) process.stdout.write(`audit log OK: ${verdict.entries} entries, head #${verdict.headSeq} ${visible(verdict.headHash.slice(0, 16))}${anchorNote(verdict.anchor)}\n`);
      else process.stdout.write(`audit log BROKEN at entry #${verdict.firstBad?.seq} (${visible(String(verdict.firstBad?.problem))}): ${visible(String(verdict.firstBad?.message))}\n`);
      process.exitCode = verdict.ok ? EXIT.ok : EXIT.failed;
    });

  audit
    .command("export")
    .description("write the audit log as JSONL (one entry per line, chain order)")
    .addHelpText("after", '\nExample:\n  pushpals audit export --out audit.jsonl')
    .option("--out <file>", "write here instead of standard output")
    .action(async (opts: { out?: string }) => {
      const ctx = await cliContext(program.opts());
      const out = opts.out ? createWriteStream(opts.out, { mode: 0o600 }) : process.stdout;
      const write = (chunk: string) => new Promise<void>((resolve, reject) => out.write(chunk, (err) => (err ? reject(err) : resolve())));
      await viaServerOrStore(
        ctx,
        async () => {
          const res = await ctx.client.stream(routes.exportAudit);
          const decoder = new TextDecoder();
          for await (const chunk of res.body!) await write(decoder.decode(chunk, { stream: true }));
        },
        async (store) => {
          for (const chunk of exportAuditJsonl(store)) await write(chunk);
        },
      );
      if (opts.out) await new Promise<void>((resolve) => (out as ReturnType<typeof createWriteStream>).end(resolve));
    });
}

function anchorNote(anchor: AuditVerdict["anchor"]): string {
  if (!anchor) return "";
  return `, anchored up to #${anchor.seq} in refs/pushpals/audit (${visible(anchor.commit.slice(0, 12))})`;
}

/** Audit commands work with the server down too: they then read the database directly, read-only. */
async function viaServerOrStore<T>(ctx: CliContext, server: () => Promise<T>, local: (store: SqliteStore) => T | Promise<T>): Promise<T> {
  try {
    return await server();
  } catch (err) {
    if (!isPushpalsError(err, "server_unreachable")) throw err;
  }
  if (!existsSync(ctx.paths.dbPath)) return local(new SqliteStore(":memory:"));
  const store = new SqliteStore(ctx.paths.dbPath, { readonly: true });
  try {
    return await local(store);
  } finally {
    store.close();
  }
}
