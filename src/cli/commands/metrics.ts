import type { Command } from "commander";

export function registerMetrics(program: Command): void {
  program
    .command("metrics")
    .description("the vision's metrics, computed from the stored history: time to first PR and to online, merge, rework, job success, queue health")
    .option("--since <duration>", "only the last 30m, 24h, 7d, 2w...: jobs created, PRs opened and runs started since then (default: all history)")
    .option("--json", "machine-readable output")
    .addHelpText("after", () => {
      const { definitionsHelp } = require("../../metrics/definitions.ts") as typeof import("../../metrics/definitions.ts");
      return `
Each metric, as computed (from jobs and their transitions, PRs and the audit log; nothing else):
${definitionsHelp()}

The same numbers are served in the Prometheus text format at GET /metrics (?since=7d) on the
loopback URL (\`pushpals status\` shows it) and the socket; as JSON at GET /metrics/snapshot.

Examples:
  pushpals metrics
  pushpals metrics --since 7d --json | jq .jobs.byKind`;
    })
    .action(async (opts: { since?: string; json?: boolean }) => {
      const { runMetrics } = await import("./metrics-action.ts");
      await runMetrics(program, opts);
    });
}
