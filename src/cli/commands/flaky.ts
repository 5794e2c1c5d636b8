import type { Command } from "commander";
import { int } from "../parse.ts";

export function registerFlaky(program: Command): void {
  program
    .command("flaky")
    .description("the flakiest tests from the per-test history of checks: the probability each fails without a code change, and the evidence")
    .option("--check <name>", "only the tests of this check")
    .option("--limit <n>", "how many tests (default 50)", int)
    .option("--all", "also tests that failed only on commits where they never passed (maybe broken, not flaky)")
    .option("--json", "machine-readable output")
    .addHelpText(
      "after",
      `
Score: a Bayesian estimate (prior Beta(1, 9)) of the probability that the test fails without a code
change. Only commits where a test both passed and failed count as flaky evidence; its failures on a
commit where it only failed are left out (that commit may be broken) and listed as broken commits.
Each test keeps its last 200 runs per check, none older than 90 days.

Examples:
  pushpals flaky
  pushpals flaky --check test --limit 10
  pushpals flaky --json | jq '.tests[0].commits'`,
    )
    .action(async (opts: { check?: string; limit?: number; all?: boolean; json?: boolean }) => {
      const { runFlaky } = await import("./flaky-action.ts");
      await runFlaky(program, opts);
    });
}
