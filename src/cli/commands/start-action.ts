import type { Command } from "commander";
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { PushpalsError } from "../../core/errors.ts";
import { hasErrors, preflight } from "../../preflight/preflight.ts";
import { runtimeLiveness } from "../../runtime-dir/liveness.ts";
import { readSupervisorInfo } from "../../runtime-dir/supervisor-file.ts";
import { keepRunningOnClosedStdout } from "../output.ts";
import { supervise as superviseRole } from "../../roles/supervisor.ts";
import { hostBun } from "../../core/host-bun.ts";
import { cliContext, type CliContext } from "../context.ts";
import { EXIT } from "../../core/exit-codes.ts";
import { printFindings } from "./doctor-action.ts";
import { visible, VisibleStream } from "../../core/safe-text.ts";
import { style } from "../style.ts";

export async function runStart(program: Command, opts: StartOptions): Promise<void> {
  const ctx = await cliContext(program.opts());
  if (opts.workers !== undefined && (opts.workers < 1 || opts.workers > 32)) {
    throw new PushpalsError("invalid_input", `--workers ${opts.workers}: must be 1 to 32`, { field: "workers" });
  }
  // Read only after preflight has vetted the config (a bad config is a PP004 finding, not a crash).
  const workerCount = () => opts.workers ?? ctx.config().workers.count;
  if (opts.supervise) return supervise(ctx, workerCount(), opts.clean === true);
  const live = runtimeLiveness(ctx.paths);
  if (live.supervisorPid !== null) {
    process.stdout.write(`PushPals is already running for this repository${live.url ? ` at ${visible(live.url)}` : ""} (pid ${live.supervisorPid}); nothing started\n`);
    return;
  }
  if (live.serverPid !== null) {
    throw new PushpalsError("conflict", `a PushPals server (pid ${live.serverPid}) is running for this repository without a supervisor`, {
      hint: "stop it with `pushpals stop`, then `pushpals start`",
    });
  }
  const findings = await preflight(ctx.paths, { recover: true });
  printFindings(findings, { quietOk: true });
  if (hasErrors(findings)) {
    process.stderr.write("pushpals: preflight failed; fix the errors above and run `pushpals start` again\n");
    process.exitCode = EXIT.environment;
    return;
  }
  if (opts.detach) return detach(ctx, workerCount(), opts.clean === true);
  await supervise(ctx, workerCount(), opts.clean === true);
}

const SUPERVISOR_MAIN = resolve(import.meta.dir, "../../roles/supervisor.ts");

export interface StartOptions {
  workers?: number;
  detach?: boolean;
  clean?: boolean;
  supervise?: boolean;
}


/** Runs the supervisor in this process (a terminal's `pushpals start`). */
async function supervise(ctx: CliContext, workers: number, clean: boolean): Promise<void> {
  // The supervisor must outlive a closed terminal pipe: losing stdout must not orphan the runtime.
  keepRunningOnClosedStdout();
  await superviseRole(ctx, { workers, clean, online: style.green });
}

/** Starts the supervisor in the background, shows its progress, and returns once it is online. */
async function detach(ctx: CliContext, workers: number, clean: boolean): Promise<void> {
  mkdirSync(ctx.paths.logsDir, { recursive: true });
  const logPath = join(ctx.paths.logsDir, "supervisor.log");
  const offset = existsSync(logPath) ? statSync(logPath).size : 0;
  const log = openSync(logPath, "a");
  const args = hostBun(SUPERVISOR_MAIN, "--repo", ctx.paths.repoRoot, "--workers", String(workers), ...(clean ? ["--clean"] : []));
  const child = Bun.spawn(args, { cwd: ctx.paths.repoRoot, stdin: "ignore", stdout: log, stderr: log, detached: true });
  closeSync(log);
  child.unref();
  // Ctrl-C before the runtime is online stops the background start too, rather than leaving it behind.
  let interrupted = false;
  const forward = () => {
    interrupted = true;
    child.kill("SIGTERM");
  };
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  let position = offset;
  // The log holds the supervisor's lines and its errors, which may quote a component's own log.
  const shown = new VisibleStream();
  const pump = () => {
    const fd = openSync(logPath, "r");
    const buffer = Buffer.alloc(64 * 1024);
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, position);
      if (n <= 0) break;
      process.stdout.write(shown.push(buffer.subarray(0, n)));
      position += n;
    }
    closeSync(fd);
  };
  for (;;) {
    pump();
    const info = readSupervisorInfo(ctx.paths.supervisorFile);
    if (info?.pid === child.pid && info.state === "online") {
      // Its last lines ("all systems online") were written before the flip, maybe after the pump above.
      pump();
      break;
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      pump();
      process.stdout.write(shown.end());
      if (interrupted) {
        process.stdout.write("interrupted before the runtime was online; nothing is left running\n");
        process.exit(130);
      }
      // Another `start` won the race for this repository: that is success, not a crash.
      const winner = runtimeLiveness(ctx.paths);
      if (winner.supervisorPid !== null && winner.supervisorPid !== child.pid) {
        process.stdout.write(`PushPals is already running for this repository (pid ${winner.supervisorPid}); nothing started\n`);
        return;
      }
      if (child.exitCode === 0) {
        process.stdout.write("the runtime was stopped before it came online (pushpals stop)\n");
        return;
      }
      // Its own error (with the fix) is in the output echoed above; pass its exit code on.
      process.stderr.write(`pushpals: the background start failed (${child.signalCode ?? `exit ${child.exitCode}`}); its output is above and in ${logPath}\n`);
      process.exit(child.exitCode ?? EXIT.internal);
    }
    await Bun.sleep(25);
  }
  process.off("SIGINT", forward);
  process.off("SIGTERM", forward);
  process.stdout.write(`running in the background (supervisor pid ${child.pid}); \`pushpals status\` to look, \`pushpals stop\` to stop\n`);
}
