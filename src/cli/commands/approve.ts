import type { Command } from "commander";

export function registerApprove(program: Command): void {
  for (const decision of ["approve", "reject"] as const) {
    program
      .command(`${decision} <pr-or-job>`)
      .description(
        decision === "approve"
          ? "approve a PR's head SHA (a new head voids it; whoever asked for the change cannot approve it; it lifts your own rejection)"
          : "reject a PR: it will not merge, whatever new heads come, until you approve a head yourself",
      )
      .option("--why <text>", decision === "approve" ? "why, kept in the audit trail" : "why (required), kept in the audit trail")
      .option("--head <sha>", "the head you looked at (a prefix is enough): refused if the PR has moved on since")
      .option("--json", "machine-readable output")
      .addHelpText("after", `\nExample:\n  pushpals ${decision} 3 --why "${decision === "approve" ? "checked the migration plan" : "touches the billing code"}"`)
      .action(async (pr: string, opts: { why?: string; head?: string; json?: boolean }) => {
        const { runDecision } = await import("./approve-action.ts");
        await runDecision(program, decision, pr, opts);
      });
  }
}
