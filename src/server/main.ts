import { trimHeapWhenGrown } from "../core/heap-trim.ts";
import { configWaitingForRestart } from "../config/config-drift.ts";
import { loadEffectiveConfig } from "../config/load.ts";
import { PushpalsError } from "../core/errors.ts";
import type { PushpalsConfig } from "../config/schema.ts";
import { isTerminal } from "../jobs/states.ts";
import type { RuntimePaths } from "../runtime-dir/paths.ts";
import { isProcessAlive, readServerInfo, removeServerInfo, writeServerInfo } from "../runtime-dir/server-file.ts";
import { pruneFinishedWorktrees, type PruneReport } from "../scm/worktree.ts";
import { checkoutPathsFor } from "../runtime-dir/unsandboxed-checkouts.ts";
import { listJobBranches } from "../scm/branches.ts";
import { ServerLock } from "../runtime-dir/server-lock.ts";
import { runtimeLiveness } from "../runtime-dir/liveness.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import { startApp, type RunningApp } from "./app.ts";
import { VERSION } from "../core/version.ts";
import { CredentialKey } from "../identity/component-credential.ts";
import { ensurePrivateDir } from "../runtime-dir/private-dir.ts";
import { openPeopleDir } from "../runtime-dir/people-dir.ts";

export interface ServeOverrides {
  port?: number;
  tickMs?: number;
  sseHeartbeatMs?: number;
  leaseMs?: number;
  retryBaseMs?: number;
}

export interface RunningServer extends RunningApp {
  store: SqliteStore;
  shutdown(reason: string): Promise<void>;
}

/**
 * Starts the control plane for one repository: refuses if a live server already serves it, opens
 * (and migrates) the store, binds loopback, then records itself in `server.json` for clients.
 */
/** What `status` reports as waiting for a restart: the config on disk now against the one this server started with. */
function restartNeeded(paths: RuntimePaths, started: PushpalsConfig): string[] {
  try {
    return configWaitingForRestart(started, loadEffectiveConfig({ repoRoot: paths.repoRoot, runtimeDir: paths.runtimeDir, env: process.env }).config);
  } catch (err) {
    return [`the config no longer loads (${err instanceof Error ? err.message : String(err)}): the running components keep the one they started with`];
  }
}

export async function runServer(paths: RuntimePaths, config: PushpalsConfig, overrides: ServeOverrides = {}): Promise<RunningServer> {
  ensurePrivateDir(paths.runtimeDir);
  const previous = readServerInfo(paths.serverFile);
  const lock = ServerLock.tryAcquire(paths.serverLock);
  if (!lock) {
    const where = previous && isProcessAlive(previous.pid) ? ` at ${previous.url} (pid ${previous.pid})` : "";
    throw new PushpalsError("conflict", `a PushPals server is already running for this repository${where}`, {
      hint: "use it (`pushpals status`), or stop it with `pushpals stop`",
    });
  }
  let store: SqliteStore;
  try {
    store = new SqliteStore(paths.dbPath);
  } catch (err) {
    lock.release();
    throw err;
  }
  let credentialKey: CredentialKey;
  let peopleSocket: { path: string; gid: number } | null;
  try {
    credentialKey = CredentialKey.loadOrCreate(paths.credentialKey);
    peopleSocket = openPeopleDir(paths, config.server.people_group);
  } catch (err) {
    store.close();
    lock.release();
    throw err;
  }
  const options = {
    host: config.server.host,
    socket: paths.socket,
    peopleSocket,
    credentialKey,
    maxBodyBytes: config.server.max_body_bytes,
    limits: { maxStreams: config.server.max_streams, requestTimeoutSeconds: config.server.request_timeout_seconds },
    prProvider: config.pr.provider,
    remoteAgent: config.remote_agent,
    unquarantineAfterPasses: config.checks.unquarantine_after_passes,
    modelReady: config.models.provider !== null,
    modelDayBudget: config.models.provider === null ? null : { dayTokens: config.models.budget.day_tokens, dayCostUsd: config.models.budget.day_cost_usd },
    baseBranch: config.repo.base_branch,
    repoRoot: paths.repoRoot,
    restartNeeded: () => restartNeeded(paths, config),
    supervisorPid: () => runtimeLiveness(paths).supervisorPid,
    tickMs: overrides.tickMs ?? 250,
    sse: { heartbeatMs: overrides.sseHeartbeatMs ?? 15_000, pageSize: 500, maxQueuedChunks: 10_000 },
    jobs: {
      leaseMs: overrides.leaseMs ?? config.jobs.lease_seconds * 1000,
      maxLogLinesPerJob: config.jobs.max_log_lines,
      ...(overrides.retryBaseMs ? { backoff: { baseMs: overrides.retryBaseMs, maxMs: overrides.retryBaseMs * 32 } } : {}),
    },
  };
  // Prefer the port of the previous run so workers (and clients) that outlived a crashed server find
  // it again; it is kept in the database because a recovered runtime has no server.json any more.
  const wanted = overrides.port ?? config.server.port;
  const lastPort = previous?.port ?? Number(store.getMeta("server_port") ?? 0);
  let app: RunningApp;
  try {
    app = await startApp(store, { ...options, port: wanted || lastPort || 0 });
  } catch (err) {
    if (wanted || !lastPort) {
      store.close();
      lock.release();
      throw portError(err, wanted);
    }
    app = await startApp(store, { ...options, port: 0 });
  }
  if (app.limits.max("stream") < config.server.max_streams) {
    console.error(`[server] the open-file limit (${app.limits.options.fileLimit}) allows ${app.limits.max("stream")} concurrent streams, fewer than server.max_streams = ${config.server.max_streams}; raise the hard limit (ulimit -Hn) for more`);
  }
  store.setMeta("server_port", String(app.port));
  writeServerInfo(paths.serverFile, { pid: process.pid, port: app.port, url: app.url, socket: app.socket, startedAt: Date.now(), version: VERSION });
  // The effective config goes into the audit log, so a changed policy is visible at the next start.
  app.service.graceRunningLeases("server restarted; running jobs get a fresh lease");
  app.components.ready("server", "server", process.pid, null);
  app.service.audit("server", "server.started", null, { pid: process.pid, url: app.url, socket: app.socket, peopleSocket: app.peopleSocket, version: VERSION, config });
  // Weakened boundaries get their own entries, so they stand out in the trail rather than hide in the config.
  if (config.sandbox.mode === "off") app.service.audit("server", "sandbox.disabled", null, { mode: "off", reason: "sandbox.mode = \"off\" in the effective config" });
  if (config.sandbox.network.length > 0) app.service.audit("server", "sandbox.network_granted", null, { kinds: config.sandbox.network });

  const reportedKept = new Set<string>();
  const janitor = async () => {
    const active = (jobId: string) => {
      const job = store.getJob(jobId);
      return job !== null && !isTerminal(job.state);
    };
    const report: PruneReport = { removed: [], kept: [] };
    // The runtime directory's checkouts, and those made with the sandbox off (in this run or an earlier one).
    for (const where of [paths, checkoutPathsFor(paths, "off")]) {
      const part = await pruneFinishedWorktrees(where, active).catch(() => ({ removed: [], kept: [] }));
      report.removed.push(...part.removed);
      report.kept.push(...part.kept);
    }
    if (report.removed.length) app.service.audit("server", "worktrees.pruned", null, { jobs: report.removed });
    for (const kept of report.kept) {
      if (reportedKept.has(kept.dir)) continue;
      reportedKept.add(kept.dir);
      console.error(`[server] kept worktree ${kept.dir}: its commit ${kept.commit.slice(0, 12)} is on no branch; remove it after saving the work`);
      app.service.audit("server", "worktree.kept", kept.jobId, kept);
    }
  };
  await janitor();
  // Job branches the database does not know (a restored backup, a copied repository): kept, reported once.
  for (const orphan of await listJobBranches(paths.repoRoot)) {
    if (store.getJob(orphan.jobId)) continue;
    app.service.audit("server", "branch.unknown", null, { ...orphan, kept: true });
  }
  const janitorTimer = setInterval(janitor, 60_000);
  // Workers run on this machine: one whose process is gone (kill -9, OOM) gets its jobs returned now,
  // not a lease later. A paused worker is still alive and is left to its lease.
  const reapDeadWorkers = () => {
    try {
      for (const workerId of new Set(store.listJobs({ state: "running", limit: 1000 }).map((j) => j.workerId))) {
        const pid = workerId ? store.getWorker(workerId)?.pid : null;
        if (workerId && pid && !isProcessAlive(pid)) app.service.workerLost(workerId, `its process (pid ${pid}) is gone`);
      }
    } catch (err) {
      console.error("[server] dead worker check failed:", err);
    }
  };
  reapDeadWorkers();
  const reaperTimer = setInterval(reapDeadWorkers, 1_000);
  const stopHeapTrim = trimHeapWhenGrown();

  let stopped = false;
  return {
    ...app,
    store,
    async shutdown(reason: string) {
      if (stopped) return;
      stopped = true;
      clearInterval(janitorTimer);
      clearInterval(reaperTimer);
      stopHeapTrim();
      // Recorded before the app stops, so its anchorer's last flush covers it.
      app.service.audit("server", "server.stopped", null, { pid: process.pid, reason });
      await app.stop();
      removeServerInfo(paths.serverFile, process.pid);
      store.close();
      lock.release();
    },
  };
}

function portError(err: unknown, port: number): PushpalsError {
  if (err instanceof PushpalsError) return err;
  return new PushpalsError("conflict", `could not listen on 127.0.0.1:${port}: ${(err as Error).message}`, {
    hint: "pick another server.port in .pushpals/config.toml, or set it to 0 for any free port",
  });
}
