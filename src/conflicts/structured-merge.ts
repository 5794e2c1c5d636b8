import { holdsConflictMarkers } from "./hunks.ts";
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { extname, join } from "node:path";
import { shellLine } from "../core/shell-quote.ts";
import type { CommandSandbox } from "../sandbox/sandbox-for.ts";
import { runCommand } from "../sandbox/run-command.ts";

/** The structured merge driver PushPals uses when it is installed: found on PATH, never vendored. */
export const STRUCTURED_DRIVER = "mergiraf";
const TIMEOUT_MS = 60_000;
const MAX_MERGED_BYTES = 16 * 1024 * 1024;

/** Where the driver is on this PATH, or null (preflight reports either). */
export function findStructuredDriver(path: string = process.env.PATH ?? ""): string | null {
  return Bun.which(STRUCTURED_DRIVER, { PATH: path });
}

export interface StructuredMergeOptions {
  /** A folder of the job's own (its checkouts' root) for the scratch files: /tmp is the sandbox's own. */
  scratchParent: string;
  /** From `sandboxFor` for the scratch folder it is given: the driver parses the PR's and the base's text, which anyone could have written. */
  sandbox: (scratch: string) => CommandSandbox;
  signal: AbortSignal;
  log: (line: string) => void;
}

/**
 * A syntax-aware three-way merge of one file by mergiraf (`mergiraf merge BASE LEFT RIGHT -o OUT -p PATH`,
 * the file's name telling it the language), sandboxed in a private scratch folder with no network. The
 * merge is taken only when the driver says it is clean (exit 0) and what it wrote holds no conflict
 * marker; anything else (a conflict it left, a language it does not know, a crash) is null: unresolved.
 */
export async function structuredMerge(path: string, sides: { base: string; ours: string; theirs: string }, options: StructuredMergeOptions): Promise<string | null> {
  mkdirSync(options.scratchParent, { recursive: true });
  const scratch = mkdtempSync(join(options.scratchParent, "merge-"));
  try {
    const ext = extname(path).replace(/[^\w.]/g, "").slice(0, 16);
    const file = (name: string) => `${name}${ext}`;
    writeFileSync(join(scratch, file("base")), sides.base);
    writeFileSync(join(scratch, file("ours")), sides.ours);
    writeFileSync(join(scratch, file("theirs")), sides.theirs);
    const command = shellLine([STRUCTURED_DRIVER, "merge", file("base"), file("ours"), file("theirs"), "-o", file("merged"), "-p", path]);
    const run = await runCommand(command, { cwd: scratch, timeoutMs: TIMEOUT_MS, signal: options.signal, sandbox: options.sandbox(scratch), onLine: () => {} });
    if (run.exitCode !== 0) {
      options.log(`${path}: ${STRUCTURED_DRIVER} left it conflicted (${run.timedOut ? "timed out" : `exit ${run.exitCode ?? run.signal}`})`);
      return null;
    }
    // What the driver wrote is read as a plain file of the scratch folder only (a link it left is no merge).
    const out = lstatSync(join(scratch, file("merged")), { throwIfNoEntry: false });
    if (!out?.isFile() || out.size > MAX_MERGED_BYTES) return null;
    const merged = readFileSync(join(scratch, file("merged")), "utf8");
    return holdsConflictMarkers(merged) ? null : merged;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
