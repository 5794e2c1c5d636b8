import type { Command } from "commander";

export function registerPolicy(program: Command): void {
  const policy = program.command("policy").description("check the policy file, or explain why a PR, job or path gets its risk tier and gate");

  policy
    .command("check")
    .description("validate .pushpals/policy.toml (exit 2 naming file, key, value and fix if it is wrong)")
    .option("--json", "machine-readable output")
    .action(async (opts: { json?: boolean }) => {
      const { runPolicyCheck } = await import("./policy-action.ts");
      await runPolicyCheck(program, opts);
    });

  policy
    .command("explain <target...>")
    .description("a PR number, a run job id, or paths: the tier, every rule that fired, the gate and what is still missing")
    .option("--json", "machine-readable output")
    .addHelpText("after", "\nExamples:\n  pushpals policy explain 3\n  pushpals policy explain job_0193...\n  pushpals policy explain src/auth/login.ts .github/workflows/ci.yml")
    .action(async (targets: string[], opts: { json?: boolean }) => {
      const { runPolicyExplain } = await import("./policy-action.ts");
      await runPolicyExplain(program, targets, opts);
    });
}
