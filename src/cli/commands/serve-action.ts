import type { Command } from "commander";
import { serve, type ServeOptions } from "../../roles/server.ts";
import { cliContext } from "../context.ts";

export async function runServe(program: Command, opts: ServeOptions): Promise<void> {
  await serve(await cliContext(program.opts()), opts);
}
