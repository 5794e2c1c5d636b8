import { personOf } from "../identity/os-users.ts";
import { processContext, type ProcessContext } from "../roles/process-context.ts";

/** A command's context: the process context, and who runs it. */
export interface CliContext extends ProcessContext {
  /** Who this process is to the server (`os:alice`, from the uid, never `$USER`): for messages, and for `start --clean`, which writes with no server. */
  actor: string;
}

export interface GlobalOptions {
  repo?: string;
}

export async function cliContext(options: GlobalOptions): Promise<CliContext> {
  return { ...(await processContext(options.repo)), actor: personOf(process.getuid?.() ?? -1) };
}
