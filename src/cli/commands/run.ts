import type { Command } from "commander";
import { lazyOption } from "../lazy-help.ts";
import type { RunOptions } from "./run-action.ts";

/** The --role help: the default policy's roles a requester may choose (a specialist's role comes with the specialist). */
function roleHelp(): string {
  const { DEFAULT_POLICY, SPECIALIST_ROLES } = require("../../policy/policy-defaults.ts") as typeof import("../../policy/policy-defaults.ts");
  const CHOOSABLE_ROLES = Object.keys(DEFAULT_POLICY.roles).filter((role) => !SPECIALIST_ROLES.includes(role));
  return `the worker role doing it: a role of the policy's [roles] (by default ${CHOOSABLE_ROLES.join(", ")}), whose write scope bounds the change; not ${SPECIALIST_ROLES.join(", ")}: that role is given by the specialist that made the change`;
}

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run a command as a codemod job: sandboxed worktree, scoped commit, checks, then a PR to review and merge")
    .argument("<command...>", "the command (after --), run in a sandbox at the repository root of a fresh worktree")
    .option("--title <text>", "PR title (default: the command)")
    .option("--body <text>", "PR description")
    .option("--scope <glob>", "files the command may change (repeatable, required): anything else is refused", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--risk <tier>", "low | medium | high", "low")
    .addOption(lazyOption("--role <role>", roleHelp).default("codemod"))
    .option("--timeout <seconds>", "time limit for the command", "900")
    .option("--rfc <number>", "the merged RFC PR this change carries out (required with --risk high)")
    .option("--pr <number>", "add the commit to this open PR instead of opening one (its approvals of the old head no longer count)")
    .option("--no-wait", "print the job id and return at once")
    .option("--json", "machine-readable output")
    .addHelpText(
      "after",
      `
Examples:
  pushpals run --scope "src/**" --title "Format sources" -- npx prettier --write src
  pushpals run --scope "package.json" --scope "package-lock.json" -- npm pkg set engines.node=">=20"

The PR waits for you: pushpals pr <n> --diff, then pushpals pr merge <n>.`,
    )
    .action(async (args: string[], opts: RunOptions) => {
      const { runRun } = await import("./run-action.ts");
      await runRun(program, args, opts);
    });
}
