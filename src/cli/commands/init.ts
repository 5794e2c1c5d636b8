import type { Command } from "commander";

export function registerInit(program: Command): void {
  program
    .command("init")
    .description("detect the package manager and checks and write .pushpals/config.toml (never overwrites it)")
    .option("--yes", "when the config exists: append what it lacks at its end (existing lines are never changed)")
    .option("--json", "machine-readable output: { configPath, created, wouldAdd, added, detected }")
    .addHelpText(
      "after",
      `
Without a config, init writes a commented .pushpals/config.toml at the repository root (from any subfolder):
the base branch, worker count, job limits, one [[checks.commands]] per detected check and the package manager.
Checks are the package scripts the repository's CI calls (GitHub Actions, GitLab CI, CircleCI, Azure Pipelines),
in CI's order; without CI, the usual scripts (typecheck, lint, check, test, build, format check); in a monorepo
whose root has none, each workspace's, run in its folder; without package.json, the toolchain's tests (go, cargo, pytest/tox/nox, mvn, ./gradlew, make test). Init prints what CI
runs beside what it configured, and why any step differs. Review the file and commit it.

With a config, init never rewrites or reorders it: it reports the detected checks and sections the file lacks.
--yes appends only those, under a dated comment; running init again then reports nothing to add.
Init never prompts.

Examples:
  pushpals init                   # first run: write .pushpals/config.toml
  pushpals init                   # later: show what the file lacks, change nothing
  pushpals init --yes             # append the missing checks and sections
  pushpals --repo ../app init --json`,
    )
    .action(async (opts: { yes?: boolean; json?: boolean }) => {
      const { runInitCommand } = await import("./init-action.ts");
      await runInitCommand(program, opts);
    });
}
