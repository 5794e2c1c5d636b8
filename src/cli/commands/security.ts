import type { Command } from "commander";

export function registerSecurity(program: Command): void {
  program
    .command("security")
    .description("the Security Sentinel: the newest audit's findings (secrets, advisories of locked dependencies, policy and sandbox settings); --audit files a new audit")
    .option("--audit", "file a security audit of the base branch's head (the RemoteAgent dispatches it; one at a time)")
    .option("--all", "also list the info findings")
    .option("--json", "machine-readable output")
    .addHelpText(
      "after",
      `
The audit reads the commit from git (no working tree, nothing run) and changes nothing: a finding above
low stops its item on a question with the next step (rotate a secret, the Dependency Steward's security
PR, an RFC for a boundary). Secret findings name the file, line and rule, never the value.

Examples:
  pushpals security --audit
  pushpals security
  pushpals security --json | jq '.audit.findings[] | select(.severity == "high")'`,
    )
    .action(async (opts: { audit?: boolean; all?: boolean; json?: boolean }) => {
      const { runSecurity } = await import("./security-action.ts");
      await runSecurity(program, opts);
    });
}
