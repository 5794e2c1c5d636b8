import type { Subprocess } from "bun";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { routes } from "../api/routes.ts";
import type { ComponentReportBody } from "../api/schemas.ts";
import { retryUnreachable, type ApiClient } from "../client/api-client.ts";
import { CREDENTIAL_FD_ENV, useComponentCredential } from "../client/credential.ts";
import { ensurePrivateDir } from "../runtime-dir/private-dir.ts";
import { PushpalsError } from "../core/errors.ts";
import type { RuntimePaths } from "../runtime-dir/paths.ts";
import { readServerInfo } from "../runtime-dir/server-file.ts";
import { ServerLock } from "../runtime-dir/server-lock.ts";
import { runtimeComponents, type ComponentSpec } from "./component-spec.ts";
import { RestartPolicy } from "./restart-policy.ts";
import { hostBun } from "../core/host-bun.ts";
import { readSupervisorInfo, removeSupervisorInfo, writeSupervisorInfo, type SupervisorInfo } from "../runtime-dir/supervisor-file.ts";

const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

export interface SupervisorOptions {
  paths: RuntimePaths;
  workers: number;
  client: ApiClient;
  say: (line: string) => void;
  /** Decorates the "all systems online" words (colour on a terminal). */
  online?: (text: string) => string;
  /** Runs once the runtime lock is held and before anything starts (`start --clean`). */
  beforeLaunch?: () => Promise<void>;
}

interface Child {
  spec: ComponentSpec;
  proc: Subprocess;
  policy: RestartPolicy;
  restarts: number;
  /** Our end of the pipe the child reads its credential from (its fd 3), until written or dropped. */
  credentialFd: number | null;
}

/**
 * `pushpals start`: runs the server, the agents and N WorkerPals as separate processes, waits for
 * each to report ready through the API, restarts crashed ones with backoff (recording each crash),
 * gives up on one that keeps crashing, and stops everything in order: workers, agents, server.
 */
export class Supervisor {
  private readonly children = new Map<string, Child>();
  private readonly exitHandled = new WeakMap<Child, Promise<void>>();
  private lock: ServerLock | null = null;
  private stopping = false;
  private stopPromise: Promise<void> | null = null;
  private info: SupervisorInfo;

  constructor(private readonly options: SupervisorOptions) {
    this.info = { pid: process.pid, state: "starting", url: null, startedAt: Date.now(), onlineAt: null, workers: options.workers };
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  async start(): Promise<{ url: string; elapsedMs: number }> {
    const { paths } = this.options;
    this.lock = ServerLock.tryAcquire(paths.supervisorLock);
    if (!this.lock) {
      const running = readSupervisorInfo(paths.supervisorFile);
      throw new PushpalsError("conflict", `PushPals is already running for this repository${running?.url ? ` at ${running.url}` : ""}${running ? ` (pid ${running.pid})` : ""}`, {
        hint: "see `pushpals status`; stop it with `pushpals stop`",
        details: { alreadyRunning: true },
      });
    }
    if (ServerLock.isHeld(paths.serverLock)) {
      this.lock.release();
      throw new PushpalsError("conflict", "a PushPals server is running for this repository without a supervisor", {
        hint: "stop it with `pushpals stop`, then `pushpals start`",
      });
    }
    ensurePrivateDir(paths.runtimeDir);
    mkdirSync(paths.logsDir, { recursive: true });
    this.save();
    await this.options.beforeLaunch?.();
    // A new key for this run: every credential handed out before (an earlier run's) stops working.
    rmSync(paths.credentialKey, { force: true });
    const [serverSpec, ...rest] = runtimeComponents(this.options.workers);
    try {
      // Everything starts at once: while the server opens its database, the others load their modules
      // and probe their sandboxes, then wait on their credential pipe, which is written only once the
      // server is up and the rows of an earlier run are gone.
      const server = this.spawn(serverSpec!, new RestartPolicy(), 0);
      const others = rest.map((spec) => this.spawn(spec, new RestartPolicy(), 0));
      await this.waitReady(server);
      this.sayReady(server);
      const url = readServerInfo(paths.serverFile)!.url;
      this.info.url = url;
      this.save();
      await useComponentCredential(this.options.client, { role: "supervisor", name: "supervisor" });
      // Rows of an earlier run (other worker counts, dead pids) would make status lie.
      await this.options.client.call(routes.resetComponents, { body: { keep: ["server"] } });
      await Promise.all(
        others.map(async (child) => {
          await this.handCredential(child);
          await this.waitReady(child);
          this.sayReady(child);
        }),
      );
      const onlineAt = Date.now();
      // Said before the state file flips to online: `start --detach` stops echoing the log on that flip.
      this.options.say(`${this.options.online ? this.options.online("all systems online") : "all systems online"} at ${url} (${((onlineAt - this.info.startedAt) / 1000).toFixed(1)} s)`);
      this.info.state = "online";
      this.info.onlineAt = onlineAt;
      this.save();
      await this.recordOnline(onlineAt);
      return { url, elapsedMs: onlineAt - this.info.startedAt };
    } catch (err) {
      await this.stop(this.stopping ? "stopped during start" : "start failed");
      throw err;
    }
  }

  private sayReady({ spec, proc, restarts }: Child): void {
    const url = spec.role === "server" ? `  ${readServerInfo(this.options.paths.serverFile)?.url}` : "";
    this.options.say(`${spec.name.padEnd(13)} ready   pid ${proc.pid}${url}${restarts > 0 ? ` (restart ${restarts})` : ""}`);
  }

  /** Starts one component's process; every one but the server gets a pipe on fd 3 for its credential. */
  private spawn(spec: ComponentSpec, policy: RestartPolicy, restarts: number): Child {
    if (this.stopping) throw new PushpalsError("internal", `stopped while starting (${spec.name} was not started)`);
    const piped = spec.role !== "server";
    const log = openSync(join(this.options.paths.logsDir, `${spec.name}.log`), "a");
    let proc: Subprocess;
    try {
      const [entry, ...args] = spec.command();
      proc = Bun.spawn(hostBun(entry!, ...args), {
        cwd: this.options.paths.repoRoot,
        // The credential travels on an inherited pipe (never argv, env or a file).
        stdio: ["ignore", log, log, ...(piped ? (["pipe"] as const) : [])],
        // Own process group: a terminal's Ctrl-C reaches only the supervisor, which then stops the
        // children in order (workers return their jobs while the server is still there to take them).
        detached: true,
        // Children watch this pid and stop themselves if the supervisor dies (kill -9, OOM).
        env: { ...process.env, PUSHPALS_REPO: this.options.paths.repoRoot, PUSHPALS_SUPERVISOR_PID: String(process.pid), ...(piped ? { [CREDENTIAL_FD_ENV]: "3" } : {}) },
      });
    } finally {
      closeSync(log);
    }
    const fd = piped ? (proc.stdio[3] as number | undefined) : undefined;
    const child: Child = { spec, proc, policy, restarts, credentialFd: typeof fd === "number" ? fd : null };
    this.children.set(spec.name, child);
    this.exitHandled.set(child, proc.exited.then(() => this.onExit(child)));
    return child;
  }

  /** Writes the component's new credential into its pipe and closes our end (the child reads to EOF). */
  private async handCredential(child: Child): Promise<void> {
    const { spec } = child;
    if (spec.role === "server" || child.credentialFd === null) return;
    const issue = () => this.options.client.call(routes.issueCredential, { body: { role: spec.role as Exclude<typeof spec.role, "server">, name: spec.name } });
    const { credential } = await retryUnreachable(issue, { deadline: Date.now() + 15_000 });
    const fd = child.credentialFd;
    if (fd === null) return;
    child.credentialFd = null;
    try {
      writeSync(fd, credential);
    } catch {
      // The child is gone (EPIPE): waitReady reports how it exited.
    } finally {
      closeSync(fd);
    }
  }

  private dropCredential(child: Child): void {
    if (child.credentialFd === null) return;
    closeSync(child.credentialFd);
    child.credentialFd = null;
  }

  private async waitReady(child: Child): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    const { spec, proc } = child;
    for (;;) {
      if (this.stopping) throw new PushpalsError("internal", `stopped while ${spec.name} was starting`);
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new PushpalsError("component_failed", `${spec.name} exited (${proc.signalCode ?? `exit ${proc.exitCode}`}) before it was ready:\n${this.logTail(spec.name)}`, {
          hint: `see ${join(this.options.paths.logsDir, `${spec.name}.log`)}`,
        });
      }
      if (await this.isReady(child)) return;
      if (Date.now() > deadline) {
        throw new PushpalsError("component_failed", `${spec.name} did not report ready within ${READY_TIMEOUT_MS / 1000}s`, {
          hint: `see ${join(this.options.paths.logsDir, `${spec.name}.log`)}`,
        });
      }
      await Bun.sleep(25);
    }
  }

  private async isReady({ spec, proc }: Child): Promise<boolean> {
    if (spec.role === "server") {
      const info = readServerInfo(this.options.paths.serverFile);
      if (info?.pid !== proc.pid) return false;
    }
    try {
      const { components } = await this.options.client.call(routes.listComponents);
      return components.some((c) => c.name === spec.name && c.pid === proc.pid && c.state === "ready");
    } catch {
      return false;
    }
  }

  private async onExit(child: Child): Promise<void> {
    this.dropCredential(child);
    if (this.children.get(child.spec.name) !== child) return;
    const { spec, proc } = child;
    const exit = { exitCode: proc.exitCode, signal: proc.signalCode === null ? null : String(proc.signalCode) };
    if (this.stopping) {
      // Workers and agents stop while the server is still up: one attempt, no retries to outlive us.
      if (spec.role !== "server") await this.report(spec, { state: "stopped", pid: proc.pid, reason: "stopped by the supervisor", ...exit }, false);
      return;
    }
    const delay = child.policy.onCrash(Date.now());
    const how = exit.signal ? `killed by ${exit.signal}` : `exited ${exit.exitCode}`;
    const restarts = delay === null ? child.restarts : child.restarts + 1;
    void this.report(spec, { state: delay === null ? "failed" : "crashed", pid: proc.pid, reason: how, restarts, ...exit });
    if (spec.workerId) void this.workerLost(spec.workerId, `its process ${how}`);
    if (delay === null) {
      this.options.say(`${spec.name} keeps crashing (${child.policy.recent} times in a minute); not restarting it. Log: ${join(this.options.paths.logsDir, `${spec.name}.log`)}`);
      this.info.state = "degraded";
      this.save();
      return;
    }
    this.options.say(`${spec.name} ${how}; restarting in ${delay} ms`);
    await Bun.sleep(delay);
    if (this.stopping) return;
    try {
      const next = this.spawn(spec, child.policy, child.restarts + 1);
      await this.handCredential(next);
      await this.waitReady(next);
      this.sayReady(next);
    } catch (err) {
      // Not left blocked on its credential pipe: its exit goes back through the restart policy.
      const current = this.children.get(spec.name);
      if (current && current !== child) {
        this.dropCredential(current);
        current.proc.kill("SIGKILL");
      }
      this.options.say(`${spec.name} did not come back: ${(err as Error).message.split("\n")[0]}`);
    }
  }

  /** The run's time to online goes into the audit log (the metrics' history); a run that cannot record it still runs. */
  private async recordOnline(onlineAt: number): Promise<void> {
    const body = { startedAt: this.info.startedAt, onlineAt, components: [...this.children.keys()] };
    await this.options.client.call(routes.supervisorOnline, { body }).catch((err: unknown) => {
      this.options.say(`could not record the time to online: ${(err as Error).message.split("\n")[0]}`);
    });
  }

  /** Best effort with retries: the server itself may be the one restarting. */
  private async report(spec: ComponentSpec, report: Omit<ComponentReportBody, "role" | "workerId">, retry = true): Promise<void> {
    const body = { role: spec.role, workerId: spec.workerId, ...report };
    const send = () => this.options.client.call(routes.componentReport, { params: { name: spec.name }, body });
    await (retry ? retryUnreachable(send, { deadline: Date.now() + 15_000 }) : send()).catch(() => {});
  }

  private async workerLost(workerId: string, reason: string): Promise<void> {
    await retryUnreachable(() => this.options.client.call(routes.workerLost, { params: { id: workerId }, body: { reason } }), {
      deadline: Date.now() + 15_000,
    }).catch(() => {});
  }

  /** Workers first (they return their jobs), then the agents, then the server. */
  stop(reason: string): Promise<void> {
    this.stopPromise ??= this.stopAll(reason);
    return this.stopPromise;
  }

  private async stopAll(reason: string): Promise<void> {
    this.stopping = true;
    this.info.state = "stopping";
    this.save();
    const byRole = (pred: (c: Child) => boolean) => [...this.children.values()].filter(pred);
    await this.terminate(byRole((c) => c.spec.role === "worker"));
    await this.terminate(byRole((c) => c.spec.role !== "worker" && c.spec.role !== "server"));
    await this.terminate(byRole((c) => c.spec.role === "server"));
    removeSupervisorInfo(this.options.paths.supervisorFile, process.pid);
    this.lock?.release();
    this.options.say(`stopped (${reason})`);
  }

  private async terminate(children: Child[]): Promise<void> {
    await Promise.all(
      children.map(async (child) => {
        const { proc } = child;
        if (proc.exitCode === null && proc.signalCode === null) {
          proc.kill("SIGTERM");
          this.dropCredential(child);
          const timer = setTimeout(() => proc.kill("SIGKILL"), STOP_TIMEOUT_MS);
          await proc.exited;
          clearTimeout(timer);
        }
        await this.exitHandled.get(child);
      }),
    );
  }

  private save(): void {
    writeSupervisorInfo(this.options.paths.supervisorFile, this.info);
  }

  private logTail(name: string): string {
    try {
      return readFileSync(join(this.options.paths.logsDir, `${name}.log`), "utf8").trim().split("\n").slice(-15).join("\n");
    } catch {
      return "(no log)";
    }
  }
}
