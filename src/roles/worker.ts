import { PushpalsError } from "../core/errors.ts";
import { newId } from "../core/ids.ts";
import { visible } from "../core/safe-text.ts";
import { kindsForRole } from "../kinds/registry.ts";
import { runWorkerProcess } from "../runtime/worker-process.ts";
import { processContext, type ProcessContext } from "./process-context.ts";
import { runRole, stringFlag } from "./role-main.ts";

export interface WorkerOptions {
  name: string;
  kinds?: string;
  id?: string;
  quiet?: boolean;
  component?: string;
}

/** One WorkerPal in this process: claims and runs its kinds' jobs until stopped. */
export async function runWorker(ctx: ProcessContext, opts: WorkerOptions): Promise<void> {
  const wanted = opts.kinds?.split(",").map((k) => k.trim());
  const all = kindsForRole("worker");
  const kinds = wanted ? all.filter((k) => wanted.includes(k.id)) : all;
  if (kinds.length === 0) {
    throw new PushpalsError("invalid_input", `--kinds ${opts.kinds}: no built-in handler for these kinds`, {
      field: "kinds",
      hint: `known kinds: ${all.map((k) => k.id).sort().join(", ")}`,
    });
  }
  const name = opts.name;
  await runWorkerProcess({ client: ctx.client, paths: ctx.paths, config: ctx.config() }, {
    id: opts.id ?? newId("wrk"),
    name,
    kinds,
    component: opts.component ? { name: opts.component, role: "worker" } : null,
    role: "worker",
    // The "registered" line is the readiness signal supervisors wait for; --quiet keeps it.
    say: (m) => void ((!opts.quiet || m.startsWith("registered")) && process.stdout.write(`${visible(`[worker ${name}] ${m}`)}\n`)),
  });
}

// As the supervisor starts it: `bun src/roles/worker.ts --name worker-1 --id wrk_... --component worker-1 --quiet`.
if (import.meta.main) {
  const flags = { name: { type: "string" }, kinds: { type: "string" }, id: { type: "string" }, component: { type: "string" }, quiet: { type: "boolean" } } as const;
  runRole(flags, async (args) =>
    runWorker(await processContext(), {
      name: stringFlag(args, "name") ?? "workerpal",
      kinds: stringFlag(args, "kinds"),
      id: stringFlag(args, "id"),
      component: stringFlag(args, "component"),
      quiet: args.values.quiet === true,
    }),
  );
}
