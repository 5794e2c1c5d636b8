import { routes } from "../api/routes.ts";
import { exportAuditJsonl, verifyAudit } from "../audit/audit-log.ts";
import { AuditAnchorer } from "../audit/audit-anchorer.ts";
import { verifyAnchoredAudit } from "../audit/verify-anchored.ts";
import { PushpalsError } from "../core/errors.ts";
import { Bus, type EventBus } from "../events/bus.ts";
import type { PushpalsEvent } from "../events/registry.ts";
import { ComponentService } from "../components/component-service.ts";
import { GroupCommit } from "../jobs/group-commit.ts";
import { JobService, type JobServiceOptions } from "../jobs/job-service.ts";
import type { Store } from "../store/store.ts";
import { checkRequestOrigin, SOCKET_HOSTS, tcpHosts } from "./guard.ts";
import { authorize } from "./access.ts";
import { CREDENTIAL_HEADER, socketCaller, streamClientOf, TCP_CALLER, type Caller } from "./caller.ts";
import { credentialRoutes } from "./routes-credentials.ts";
import { listenUnix, type UnixListener } from "./unix-listener.ts";
import { CredentialKey } from "../identity/component-credential.ts";
import type { PeerCredentials } from "../identity/peer-credentials.ts";
import { errorResponse, json, streamReply } from "./http.ts";
import { Router } from "./router.ts";
import { componentRoutes } from "./routes-components.ts";
import { jobRoutes } from "./routes-jobs.ts";
import { workerRoutes } from "./routes-workers.ts";
import { prRoutes } from "./routes-prs.ts";
import { revertRoutes } from "./routes-revert.ts";
import { PrService } from "../prs/pr-service.ts";
import { PROVIDERS, providerById } from "../providers/registry.ts";
import { applyKindEffects } from "../kinds/effects.ts";
import { parseJobInput } from "../kinds/registry.ts";
import { ControlService } from "../control/control-service.ts";
import { controlRoutes } from "./routes-control.ts";
import { statusSnapshot } from "./status.ts";
import { eventStream, resumePoint, sseHeaders, type SseOptions } from "./sse.ts";
import { VERSION } from "../core/version.ts";
import { DEFAULT_CONFIG, type RemoteAgentSettings } from "../config/schema.ts";
import { ConnectionLimits, type ConnectionLimitsOptions } from "./connection-limits.ts";
import { openFileCount, openFileLimit } from "./file-limit.ts";
import { directiveRoutes } from "./routes-directives.ts";
import { metricsRoutes } from "./routes-metrics.ts";
import { testHistoryRoutes } from "./routes-test-history.ts";
import { securityRoutes } from "./routes-security.ts";
import { modelUsageRoutes } from "./routes-model-usage.ts";
import { planningRoutes } from "./routes-planning.ts";
import { recordTaskOutcome } from "../planning/task-outcome.ts";
import { SPECIALISTS } from "../specialists/registry.ts";
import { sweepOverdue } from "../planning/wall-time.ts";
import { sweepTaskPrs } from "../planning/task-prs.ts";
import { prFollowUpSweep } from "../sources/pr-followup/sweep.ts";
import { prConflictSweep } from "../sources/pr-followup/conflict-sweep.ts";
import { unquarantineSweep } from "../sources/failing-build/unquarantine-sweep.ts";

/** How often the work items are swept (wall time, PR follow-ups): a few reads, a write only when something changed. */
const WORK_SWEEP_MS = 2_000;

export interface AppOptions {
  host: string;
  port: number;
  /** The owner's API socket (its directory must be the owner's alone: see ensurePrivateDir). */
  socket: string;
  /** The people's socket, when `server.people_group` opens one: group-owned, 0660. */
  peopleSocket?: { path: string; gid: number } | null;
  /** Signs component credentials; default: a new random key (tests, benchmarks). */
  credentialKey?: CredentialKey;
  maxBodyBytes: number;
  /** How often the timer looks for expired leases and due retries. */
  tickMs: number;
  sse: SseOptions;
  jobs: Partial<JobServiceOptions>;
  /** The repository served (policy reads); absent in store-only benchmarks. */
  repoRoot?: string;
  /** `pr.provider` (default: the first registered, local): with a remote one, opening a PR also queues its publish job. */
  prProvider?: string;
  /** Settings changed since start that need a restart to apply (see configWaitingForRestart); none in benchmarks. */
  restartNeeded?: () => string[];
  /** The supervisor's pid when one holds its lock (its memory is in `status`); none in benchmarks. */
  supervisorPid?: () => number | null;
  /** `[remote_agent]`: whether and how much the RemoteAgent may dispatch (default: the config's defaults). */
  remoteAgent?: RemoteAgentSettings;
  /** `repo.base_branch`: the branch whose policy `pushpals plan` previews classification under (none: no preview). */
  baseBranch?: string | null;
  /** `checks.unquarantine_after_passes`: a quarantined test passing this many runs in a row gets an un-quarantine item. */
  unquarantineAfterPasses?: number;
  /** `[models]` names a provider: model-backed specialists (the Agent) take work, directives open for them. */
  modelReady?: boolean;
  /** `[models.budget]`'s day limits when a provider is configured (shown by `status`). */
  modelDayBudget?: { dayTokens: number; dayCostUsd: number } | null;
  /** Caps on long-lived requests and the request timeout (defaults: the config's, and this process's open-file limit). */
  limits?: Partial<ConnectionLimitsOptions>;
}

export interface RunningApp {
  /** The read-only loopback listener. */
  url: string;
  port: number;
  socket: string;
  peopleSocket: string | null;
  credentials: CredentialKey;
  /** The request handler every listener calls, given who is calling and the Host it may name (benchmarks measure the listeners apart). */
  handle(req: Request, caller: Caller, hosts?: readonly string[]): Promise<Response>;
  service: JobService;
  components: ComponentService;
  bus: EventBus;
  limits: ConnectionLimits;
  stop(): Promise<void>;
}

/**
 * The control plane's HTTP face: the owner's Unix socket (where every write comes in, the caller
 * named by the kernel), the people's socket if configured, and a read-only loopback TCP listener.
 * Every request passes the Host/Origin guard first, then the route's access rule (access.ts).
 */
export async function startApp(store: Store, options: AppOptions): Promise<RunningApp> {
  if (options.host !== "127.0.0.1") {
    throw new PushpalsError("config_invalid", `server.host "${options.host}" refused: the PushPals server only binds 127.0.0.1`, {
      field: "server.host",
      hint: 'remove server.host or set it to "127.0.0.1"',
    });
  }
  const bus: EventBus = new Bus<PushpalsEvent>();
  const service = new JobService(store, bus, { parseInput: parseJobInput, ...options.jobs });
  const commit = new GroupCommit(service);
  const components = new ComponentService(service);
  const provider = providerById(options.prProvider ?? PROVIDERS[0].id);
  const prs = new PrService(service, { id: provider.id, remote: provider.remote !== null });
  applyKindEffects(service, { prs });
  service.onTransition((ctx, job) => recordTaskOutcome(ctx, job, SPECIALISTS, { modelReady: options.modelReady === true }));
  const control = new ControlService(service);
  // The audit log's head is kept outside the database too (refs/pushpals/audit), a moment after each commit.
  const anchorer = options.repoRoot ? new AuditAnchorer({ repoRoot: options.repoRoot, store, log: (m) => console.error(`[server] ${m}`) }) : null;
  if (anchorer) {
    service.onAuditCommitted(() => anchorer.schedule());
    anchorer.schedule();
  }
  const limits = new ConnectionLimits({
    maxStreams: DEFAULT_CONFIG.server.max_streams,
    requestTimeoutSeconds: DEFAULT_CONFIG.server.request_timeout_seconds,
    fileLimit: openFileLimit(),
    openFiles: openFileCount,
    ...options.limits,
  });
  const credentials = options.credentialKey ?? CredentialKey.random();
  const router = new Router(routes, { maxBytes: options.maxBodyBytes, timeoutMs: limits.options.requestTimeoutSeconds * 1000 }, (route, caller, request) => authorize(store, route, caller, request));
  const streams = new AbortController();

  router
    .route(routes.health, () => json({ ok: true as const, pid: process.pid, version: VERSION, lastEventSeq: store.lastEventSeq() }))
    .route(routes.status, () => json(statusSnapshot(store, Date.now(), options.restartNeeded?.() ?? [], options.supervisorPid?.() ?? null, options.remoteAgent ?? DEFAULT_CONFIG.remote_agent)))
    .route(routes.events, ({ req, query, caller }) => {
      const after = resumePoint(req.headers.get("last-event-id"), query.after);
      if (after === null) throw new PushpalsError("invalid_input", "Last-Event-ID must be a whole number", { field: "Last-Event-ID" });
      const signal = AbortSignal.any([req.signal, streams.signal]);
      return streamReply(limits.stream(req, streamClientOf(caller), options.sse.heartbeatMs, () => eventStream(store, bus, after, options.sse, signal)), sseHeaders());
    })
    .route(routes.verifyAudit, async () => json(options.repoRoot ? await verifyAnchoredAudit(store, options.repoRoot) : verifyAudit(store)))
    .route(routes.exportAudit, ({ req, caller }) => {
      const body = limits.stream(req, streamClientOf(caller), 0, () => {
        const pages = exportAuditJsonl(store);
        const encoder = new TextEncoder();
        return new ReadableStream<Uint8Array>({
          pull(controller) {
            const next = pages.next();
            if (next.done) return controller.close();
            controller.enqueue(encoder.encode(next.value));
          },
        });
      });
      return streamReply(body, { "content-type": "application/x-ndjson; charset=utf-8" });
    });
  jobRoutes(router, { service, commit, limits, sseHeartbeatMs: options.sse.heartbeatMs, repoRoot: options.repoRoot ?? null });
  workerRoutes(router, { service, commit, limits });
  componentRoutes(router, { components, service, commit });
  prRoutes(router, { prs, commit, repoRoot: options.repoRoot ?? null, auditDiverged: () => anchorer?.diverged ?? null });
  revertRoutes(router, { service, prs, commit, repoRoot: options.repoRoot ?? null });
  directiveRoutes(router, { service, commit, repoRoot: options.repoRoot ?? null, modelReady: options.modelReady === true });
  controlRoutes(router, { control, commit });
  metricsRoutes(router, { store });
  testHistoryRoutes(router, { store });
  securityRoutes(router, { store, service, commit });
  modelUsageRoutes(router, { store, service, commit, dayBudget: options.modelDayBudget ?? null });
  planningRoutes(router, { store, service, control, commit, repoRoot: options.repoRoot ?? null, baseBranch: options.baseBranch ?? null, limits: options.remoteAgent ?? DEFAULT_CONFIG.remote_agent, modelReady: options.modelReady === true });
  credentialRoutes(router, { credentials, service });
  const missing = router.unregistered();
  if (missing.length > 0) throw new PushpalsError("internal", `the server has no handler for ${missing.map((r) => r.name).join(", ")}`);

  const handle = async (req: Request, caller: Caller, hosts: readonly string[]): Promise<Response> => {
    try {
      checkRequestOrigin(req, hosts);
      const url = new URL(req.url);
      const { dispatch, params } = router.match(req, url);
      return await dispatch(req, url, params, caller);
    } catch (err) {
      return errorResponse(err);
    }
  };
  const onSocket = (listener: "owner" | "people") => async (req: Request, peer: PeerCredentials | null) => {
    let caller: Caller;
    try {
      caller = socketCaller(listener, peer, req.headers.get(CREDENTIAL_HEADER), credentials);
    } catch (err) {
      return errorResponse(err);
    }
    return handle(req, caller, SOCKET_HOSTS);
  };
  let port = options.port;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: options.port,
    // readBody enforces the configured limit with a JSON 413; this is only the transport's hard stop,
    // set well above it so oversized requests still get a proper error instead of a bare 413.
    maxRequestBodySize: Math.max(64 * 1024 * 1024, options.maxBodyBytes * 2),
    // Bun drops a connection whose headers are not complete within about 10 s (fixed, however slowly
    // they trickle in); this bounds the rest: the body, the reply, an idle keep-alive connection.
    // Long-lived requests lengthen it for their own connection (ConnectionLimits.hold).
    idleTimeout: limits.options.requestTimeoutSeconds,
    fetch: (req, self) => {
      limits.attach(req, self);
      return handle(req, TCP_CALLER, tcpHosts(port));
    },
    error(err) {
      return errorResponse(err);
    },
  });
  port = server.port ?? options.port;
  const sockets: UnixListener[] = [];
  try {
    const requestTimeoutMs = limits.options.requestTimeoutSeconds * 1000;
    sockets.push(await listenUnix(options.socket, { mode: 0o600, requestTimeoutMs }, onSocket("owner")));
    if (options.peopleSocket) sockets.push(await listenUnix(options.peopleSocket.path, { mode: 0o660, gid: options.peopleSocket.gid, requestTimeoutMs }, onSocket("people")));
  } catch (err) {
    await Promise.all([server.stop(true), ...sockets.map((s) => s.stop())]);
    throw err;
  }

  const timer = setInterval(() => {
    try {
      service.tick();
    } catch (err) {
      console.error("[server] lease timer failed:", err);
    }
  }, options.tickMs);
  // The work items' own sweeps: tasks past their wall time, and what open PRs need (the PR follow-up source).
  const followUps = prFollowUpSweep(service);
  const conflicts = options.repoRoot ? prConflictSweep(service, options.repoRoot) : null;
  const unquarantine = options.repoRoot ? unquarantineSweep(service, options.repoRoot, options.baseBranch ?? null, options.unquarantineAfterPasses ?? DEFAULT_CONFIG.checks.unquarantine_after_passes) : null;
  const sweeps = setInterval(() => {
    try {
      sweepOverdue(service, options.remoteAgent ?? DEFAULT_CONFIG.remote_agent, Date.now());
    } catch (err) {
      console.error("[server] wall-time sweep failed:", err);
    }
    try {
      followUps();
    } catch (err) {
      console.error("[server] PR follow-up sweep failed:", err);
    }
    conflicts?.().catch((err: unknown) => console.error("[server] PR conflict sweep failed:", err));
    unquarantine?.().catch((err: unknown) => console.error("[server] un-quarantine sweep failed:", err));
    try {
      sweepTaskPrs(service);
    } catch (err) {
      console.error("[server] task PR sweep failed:", err);
    }
  }, WORK_SWEEP_MS);

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    socket: options.socket,
    peopleSocket: options.peopleSocket?.path ?? null,
    credentials,
    handle: (req, caller, hosts) => handle(req, caller, hosts ?? (caller.listener === "tcp" ? tcpHosts(port) : SOCKET_HOSTS)),
    service,
    components,
    bus,
    limits,
    async stop() {
      clearInterval(timer);
      clearInterval(sweeps);
      streams.abort();
      await Promise.all([server.stop(true), ...sockets.map((s) => s.stop())]);
      await anchorer?.flush();
    },
  };
}
