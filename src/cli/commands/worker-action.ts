import type { Command } from "commander";
import { runWorker as runWorkerRole, type WorkerOptions } from "../../roles/worker.ts";
import { cliContext } from "../context.ts";

export async function runWorker(program: Command, opts: WorkerOptions): Promise<void> {
  await runWorkerRole(await cliContext(program.opts()), opts);
}
