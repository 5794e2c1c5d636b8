import type { Command } from "commander";

export function registerDeps(program: Command): void {
  const deps = program
    .command("deps")
    .description("the Dependency Steward's dashboard: detected dependencies; pending, open, blocked, turned-down and ignored updates, each with its reason")
    .option("--all", "also list every detected dependency and every ignored update")
    .option("--json", "machine-readable output")
    .addHelpText("after", "\nExamples:\n  pushpals deps\n  pushpals deps scan --wait")
    .action(async (opts: { all?: boolean; json?: boolean }) => {
      const { runDeps } = await import("./deps-action.ts");
      await runDeps(program, opts);
    });
  deps
    .command("scan")
    .description("scan the base branch's dependencies now (the RemoteAgent also does every dependency_steward.scan_every_seconds)")
    .option("--wait", "wait for the scan, then show the dashboard")
    .option("--json", "machine-readable output")
    .action(async (opts: { wait?: boolean; json?: boolean }) => {
      const { runDepsScan } = await import("./deps-action.ts");
      // `--json` after `scan` is taken by `deps` itself (commander gives a parent's options precedence).
      await runDepsScan(program, { ...opts, json: opts.json ?? deps.opts<{ json?: boolean }>().json });
    });
}
