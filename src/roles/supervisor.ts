import { isPushpalsError } from "../core/errors.ts";
import { visible } from "../core/safe-text.ts";
import { personOf } from "../identity/os-users.ts";
import { cleanRuntime } from "../supervisor/clean.ts";
import { Supervisor } from "../supervisor/supervisor.ts";
import { processContext, type ProcessContext } from "./process-context.ts";
import { runRole, stringFlag } from "./role-main.ts";

export interface SuperviseOptions {
  workers: number;
  /** `start --clean`: reset the queue once the runtime lock is held. */
  clean: boolean;
  /** Decorates the "all systems online" words (colour on a terminal). */
  online?: (text: string) => string;
}

/** Runs the supervisor in this process until SIGINT/SIGTERM/SIGHUP. */
export async function supervise(ctx: ProcessContext, opts: SuperviseOptions): Promise<void> {
  const say = (line: string) => {
    try {
      process.stdout.write(`${line}\n`);
    } catch {}
  };
  // `--clean` runs only once this supervisor holds the runtime lock, so it can never reset the queue
  // of a runtime that is starting or running next to it.
  const beforeLaunch = opts.clean
    ? async () => {
        const report = await cleanRuntime(ctx.paths, personOf(process.getuid?.() ?? -1));
        say(`clean: cancelled ${report.cancelledJobs} active jobs, removed ${report.removedWorktrees} job worktrees`);
        for (const kept of report.kept) say(`  kept ${visible(kept)}`);
      }
    : undefined;
  const supervisor = new Supervisor({ paths: ctx.paths, workers: opts.workers, client: ctx.client, say, online: opts.online, beforeLaunch });
  // Handlers go in before anything starts, and stay: a stop during startup, or a second signal while
  // stopping, still ends in an orderly stop of every child.
  let signalled = false;
  const stopped = new Promise<void>((done) => {
    const stop = (signal: string) => {
      signalled = true;
      void supervisor.stop(`received ${signal}`).then(done);
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGHUP", () => stop("SIGHUP"));
  });
  try {
    await supervisor.start();
  } catch (err) {
    if (isPushpalsError(err, "conflict") && err.details?.alreadyRunning) {
      say(`${visible(err.message)}; nothing started`);
      return;
    }
    if (signalled) {
      await stopped;
      process.exit(0);
    }
    // A real failure: the supervisor already stopped what it had started; report it and exit.
    throw err;
  }
  await stopped;
  process.exit(0);
}

// As `pushpals start --detach` starts it: `bun src/roles/supervisor.ts --repo <root> --workers N [--clean]`.
if (import.meta.main) {
  // The supervisor must outlive a closed output: losing it must not orphan the runtime.
  process.stdout.on("error", () => {});
  runRole({ repo: { type: "string" }, workers: { type: "string" }, clean: { type: "boolean" } } as const, async (args) => {
    const ctx = await processContext(stringFlag(args, "repo"));
    const workers = Number(stringFlag(args, "workers") ?? ctx.config().workers.count);
    return supervise(ctx, { workers, clean: args.values.clean === true });
  });
}
