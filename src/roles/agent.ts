import { PushpalsError } from "../core/errors.ts";
import { newId } from "../core/ids.ts";
import { processContext, type ProcessContext } from "./process-context.ts";
import { runRole, stringFlag } from "./role-main.ts";
import { ROLES } from "./agent-roles.ts";
import { checkedOutBranch } from "../scm/branches.ts";

/** One agent process (RemoteAgent, ReviewAgent or SourceControlManager) until stopped. */
export async function runAgent(ctx: ProcessContext, role: string, opts: { name?: string; id?: string }): Promise<void> {
  if (!(ROLES as readonly string[]).includes(role)) {
    throw new PushpalsError("invalid_input", `unknown agent role "${role}"`, { field: "role", hint: `use ${ROLES.join(", ")}` });
  }
  const name = opts.name ?? role;
  // Each agent's modules load only in its own process.
  if (role === "remote-agent") {
    const baseBranch = ctx.config().repo.base_branch ?? (await checkedOutBranch(ctx.paths.repoRoot)) ?? "main";
    return (await import("../agents/remote/main.ts")).runRemoteAgent(ctx.client, { name, baseBranch, repoRoot: ctx.paths.repoRoot, gitCommonDir: ctx.paths.gitCommonDir, config: ctx.config });
  }
  const env = { client: ctx.client, paths: ctx.paths, config: ctx.config() };
  if (role === "scm") return (await import("../agents/scm/main.ts")).runScmAgent(env, { name, id: opts.id ?? newId("wrk") });
  return (await import("../agents/review/main.ts")).runReviewAgent(env, { name, id: opts.id ?? newId("wrk") });
}

// As the supervisor starts it: `bun src/roles/agent.ts <role> --name <name> [--id wrk_...]`.
if (import.meta.main) {
  runRole({ name: { type: "string" }, id: { type: "string" } } as const, async (args) => {
    const role = args.positionals[0] ?? "";
    return runAgent(await processContext(), role, { name: stringFlag(args, "name"), id: stringFlag(args, "id") });
  });
}

