import { writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import { isPushpalsError } from "../core/errors.ts";
import { EXIT, exitCodeFor } from "../core/exit-codes.ts";
import { quotedText } from "../core/safe-text.ts";

type Flags = Record<string, { type: "string" | "boolean" }>;
export type RoleArgs = { values: Record<string, string | boolean | undefined>; positionals: string[] };

/**
 * Runs a role's entry point as the supervisor starts it (`bun src/roles/<role>.ts ...`): flags parsed
 * strictly, a failure printed as the CLI prints one (message, then `fix:`), with the CLI's exit code.
 * It loads neither the CLI nor its commands: a component process carries only its own role's modules.
 */
export function runRole(flags: Flags, main: (args: RoleArgs) => Promise<unknown>): void {
  reportModulesOnExit();
  let args: RoleArgs;
  try {
    args = parseArgs({ args: process.argv.slice(2), options: flags, allowPositionals: true, strict: true });
  } catch (err) {
    process.stderr.write(`pushpals: ${quotedText((err as Error).message)}\n`);
    process.exit(EXIT.usage);
  }
  main(args).catch((err: unknown) => {
    if (isPushpalsError(err)) {
      process.stderr.write(`pushpals: ${quotedText(err.message)}\n${err.hint ? `  fix: ${quotedText(err.hint)}\n` : ""}`);
      process.exit(exitCodeFor(err.code));
    }
    process.stderr.write(`pushpals: unexpected error: ${quotedText(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`);
    process.exit(EXIT.internal);
  });
}

export function stringFlag(args: RoleArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === "string" ? value : undefined;
}

/**
 * Diagnostics: with `PUSHPALS_DEBUG_MODULES_DIR` set (by the user, for the supervisor and so for its
 * children), a role process writes the modules it loaded to `<dir>/<role>-<pid>.json` when it exits.
 * It is how a test proves a WorkerPal never loads another role's modules.
 */
function reportModulesOnExit(): void {
  const dir = process.env.PUSHPALS_DEBUG_MODULES_DIR;
  if (!dir) return;
  const role = basename(process.argv[1] ?? "role", ".ts");
  process.on("exit", () => {
    const modules = Object.keys(require.cache);
    try {
      writeFileSync(join(dir, `${role}-${process.pid}.json`), JSON.stringify({ role, argv: process.argv.slice(2), modules }), { flag: "wx", mode: 0o600 });
    } catch {}
  });
}
