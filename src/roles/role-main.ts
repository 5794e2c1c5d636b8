import { basename } from "node:path";
import { parseArgs } from "node:util";
import { isPushpalsError } from "../core/errors.ts";
import { reportModulesOnExit } from "../core/module-report.ts";
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
  reportModulesOnExit(basename(process.argv[1] ?? "role", ".ts"));
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
