import type { Command } from "commander";
import { PushpalsError } from "../../core/errors.ts";
import { newId } from "../../core/ids.ts";
import { kindsForRole } from "../../kinds/registry.ts";
import { cliContext } from "../context.ts";
import { visible } from "../safe-text.ts";
import { runWorkerProcess } from "../../runtime/worker-process.ts";

export async function runWorker(program: Command, opts: { name: string; kinds?: string; id?: string; quiet?: boolean; component?: string }): Promise<void> {
  const ctx = await cliContext(program.opts());
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


