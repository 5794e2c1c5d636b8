import { Command, CommanderError } from "commander";
import { isPushpalsError } from "../core/errors.ts";
import { VERSION } from "../core/version.ts";
import { registerAgent } from "./commands/agent.ts";
import { registerAudit } from "./commands/audit.ts";
import { registerCheckAsk } from "./commands/check-ask.ts";
import { registerDoctor } from "./commands/doctor.ts";
import { registerStart } from "./commands/start.ts";
import { registerStopStatus } from "./commands/stop-status.ts";
import { registerConfig } from "./commands/config.ts";
import { registerInit } from "./commands/init.ts";
import { registerJobs } from "./commands/jobs.ts";
import { registerLogs } from "./commands/logs.ts";
import { registerServe } from "./commands/serve.ts";
import { registerWorker } from "./commands/worker.ts";
import { registerRun } from "./commands/run.ts";
import { registerRevert } from "./commands/revert.ts";
import { registerPrs } from "./commands/prs.ts";
import { registerPause } from "./commands/pause.ts";
import { registerApprove } from "./commands/approve.ts";
import { registerPolicy } from "./commands/policy.ts";
import { registerMetrics } from "./commands/metrics.ts";
import { registerPlan } from "./commands/plan.ts";
import { registerDeps } from "./commands/deps.ts";
import { registerFlaky } from "./commands/flaky.ts";
import { registerSecurity } from "./commands/security.ts";
import { EXIT, exitCodeFor } from "../core/exit-codes.ts";
import { exitOnClosedStdout } from "./output.ts";
import { quotedText as shown } from "../core/safe-text.ts";
import { reportModulesOnExit } from "../core/module-report.ts";

reportModulesOnExit("cli");

const program = new Command()
  .name("pushpals")
  .description("A local engineering workforce beside your git repository.")
  .version(VERSION)
  .option("--repo <path>", "the repository (any folder inside it); default: the current folder")
  .showHelpAfterError()
  .addHelpText(
    "after",
    `
Getting started:
  pushpals init                 # write .pushpals/config.toml for this repository
  pushpals start --detach       # server, agents and WorkerPals; "all systems online"
  pushpals check --wait         # run the checks on the base branch head
  pushpals run --scope "src/**" -- <command>   # a sandboxed codemod as a checked PR
  pushpals prs; pushpals pr merge <n>          # review and merge PRs
  pushpals status               # components, queue, stuck jobs
  pushpals stop

Exit codes: 0 ok, 1 "no" (checks failed, audit broken), 2 bad input or config, 3 not running,
4 not found, 5 conflict, 6 environment (git, repository, preflight), 70 internal error.`,
  )
  .exitOverride();

registerInit(program);
registerConfig(program);
registerStart(program);
registerStopStatus(program);
registerDoctor(program);
registerCheckAsk(program);
registerServe(program);
registerWorker(program);
registerAgent(program);
registerRun(program);
registerRevert(program);
registerPrs(program);
registerPause(program);
registerApprove(program);
registerPolicy(program);
registerPlan(program);
registerDeps(program);
registerFlaky(program);
registerSecurity(program);
registerJobs(program);
registerLogs(program);
registerAudit(program);
registerMetrics(program);

// `pushpals status | head -1`: a reader that went away is not an error of ours.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE" && exitOnClosedStdout()) process.exit(EXIT.ok);
});

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if ((err as NodeJS.ErrnoException)?.code === "EPIPE" && exitOnClosedStdout()) process.exit(EXIT.ok);
  if (err instanceof CommanderError) {
    process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage);
  }
  if (isPushpalsError(err)) {
    // With --json the error is JSON too (on stderr), so scripts never have to parse prose.
    if (process.argv.includes("--json")) process.stderr.write(`${JSON.stringify({ error: err.toJSON() })}\n`);
    else process.stderr.write(`pushpals: ${shown(err.message)}\n${err.hint ? `  fix: ${shown(err.hint)}\n` : ""}`);
    process.exit(exitCodeFor(err.code));
  }
  process.stderr.write(`pushpals: unexpected error: ${shown(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`);
  process.exit(EXIT.internal);
}
