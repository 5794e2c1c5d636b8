import type { Command } from "commander";
import { createWriteStream } from "node:fs";
import { existsSync } from "node:fs";
import { routes } from "../../api/routes.ts";
import { exportAuditJsonl } from "../../audit/audit-log.ts";
import { verifyAnchoredAudit } from "../../audit/verify-anchored.ts";
import type { AuditVerdict } from "../../audit/chain.ts";
import { isPushpalsError } from "../../core/errors.ts";
import { cliContext, type CliContext } from "../context.ts";
import { EXIT } from "../../core/exit-codes.ts";
import { printJson } from "../format.ts";
import { visible } from "../../core/safe-text.ts";

export async function runVerify(program: Command, openStore: OpenStore, opts: { json?: boolean }): Promise<void> {
  const ctx = await cliContext(program.opts());
  const verdict = await viaServerOrStore(
    ctx,
    openStore,
    () => ctx.client.call(routes.verifyAudit),
    (store) => verifyAnchoredAudit(store, ctx.paths.repoRoot),
  );
  if (opts.json) printJson(verdict);
  else if (verdict.ok) process.stdout.write(`audit log OK: ${verdict.entries} entries, head #${verdict.headSeq} ${visible(verdict.headHash.slice(0, 16))}${anchorNote(verdict.anchor)}\n`);
  else process.stdout.write(`audit log BROKEN at entry #${verdict.firstBad?.seq} (${visible(String(verdict.firstBad?.problem))}): ${visible(String(verdict.firstBad?.message))}\n`);
  process.exitCode = verdict.ok ? EXIT.ok : EXIT.failed;
}

export async function runExport(program: Command, openStore: OpenStore, opts: { out?: string }): Promise<void> {
  const ctx = await cliContext(program.opts());
  const out = opts.out ? createWriteStream(opts.out, { mode: 0o600 }) : process.stdout;
  const write = (chunk: string) => new Promise<void>((resolve, reject) => out.write(chunk, (err) => (err ? reject(err) : resolve())));
  await viaServerOrStore(
    ctx,
    openStore,
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
}

function anchorNote(anchor: AuditVerdict["anchor"]): string {
  if (!anchor) return "";
  return `, anchored up to #${anchor.seq} in refs/pushpals/audit (${visible(anchor.commit.slice(0, 12))})`;
}

/** Audit commands work with the server down too: they then read the database directly, read-only. */
async function viaServerOrStore<T>(ctx: CliContext, openStore: OpenStore, server: () => Promise<T>, local: (store: AuditStore) => T | Promise<T>): Promise<T> {
  try {
    return await server();
  } catch (err) {
    if (!isPushpalsError(err, "server_unreachable")) throw err;
  }
  if (!existsSync(ctx.paths.dbPath)) return local(await openStore(":memory:", false));
  const store = await openStore(ctx.paths.dbPath, true);
  try {
    return await local(store);
  } finally {
    store.close();
  }
}

type AuditStore = Parameters<typeof verifyAnchoredAudit>[0] & Parameters<typeof exportAuditJsonl>[0] & { close(): void };
/** Opens the SQLite store: given by ./audit.ts, the one module of this command allowed to (.dependency-cruiser.cjs, CLI_OPENS_DATABASE). */
export type OpenStore = (path: string, readonly: boolean) => Promise<AuditStore>;
