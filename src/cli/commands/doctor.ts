import type { Command } from "commander";

export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description("run the preflight checks `start` runs, change nothing, and say how to fix each problem")
    .option("--json", "machine-readable output")
    .option("--registry", "also ask the package registry the way an install does (sandbox, egress proxy, your npm config): reaches the network")
    .addHelpText("after", "\nExit code 1 when any check is an error.\n\nExamples:\n  pushpals doctor --json | jq '.findings[] | select(.level != \"ok\")'\n  pushpals doctor --registry    # a certificate, proxy or allowlist problem shows before the first install")
    .action(async (opts: { json?: boolean; registry?: boolean }) => {
      const { runDoctor } = await import("./doctor-action.ts");
      await runDoctor(program, opts);
    });
}
