import { PushpalsError } from "../core/errors.ts";
import type { FailureClass } from "../core/failures.ts";
import type { JobService } from "../jobs/job-service.ts";
import type { Component, ComponentRole, ComponentState } from "../store/components/component-rows.ts";

export interface ComponentReport {
  role: ComponentRole;
  pid: number | null;
  state: Exclude<ComponentState, "ready">;
  reason: string;
  restarts?: number;
  exitCode?: number | null;
  signal?: string | null;
  workerId?: string | null;
}

/**
 * The registry of supervised processes. Components say `ready` themselves (the readiness handshake)
 * and heartbeat; the supervisor reports what it sees: starts, crashes (with a failure class) and stops.
 * Every state change is an event and an audit entry.
 */
export class ComponentService {
  constructor(private readonly jobs: JobService) {}

  list(): Component[] {
    return this.jobs.store.listComponents();
  }

  ready(name: string, role: ComponentRole, pid: number | null, workerId: string | null): Component {
    return this.jobs.record((ctx) => {
      const existing = this.jobs.store.getComponent(name);
      const next: Component = {
        name,
        role,
        pid,
        state: "ready",
        workerId,
        startedAt: existing?.startedAt ?? ctx.now,
        readyAt: ctx.now,
        lastHeartbeatAt: ctx.now,
        restarts: existing?.restarts ?? 0,
        lastExit: existing?.lastExit ?? null,
      };
      this.jobs.store.upsertComponent(next);
      ctx.emit("component.state", null, { name, role, pid, state: "ready", reason: "reported ready", restarts: next.restarts });
      ctx.audit(`${role}:${name}`, "component.ready", name, { pid, workerId });
      return next;
    });
  }

  heartbeat(name: string): void {
    this.jobs.record((ctx) => {
      const existing = this.jobs.store.getComponent(name);
      if (!existing) throw new PushpalsError("not_found", `component ${name} has not reported ready`, { hint: "report ready first" });
      this.jobs.store.upsertComponent({ ...existing, lastHeartbeatAt: ctx.now });
    });
  }

  /** What the supervisor saw happen to a process. */
  report(name: string, report: ComponentReport, actor: string): Component {
    return this.jobs.record((ctx) => {
      const existing = this.jobs.store.getComponent(name);
      const exit = report.signal ? `signal ${report.signal}` : report.exitCode !== undefined && report.exitCode !== null ? `exit ${report.exitCode}` : null;
      const failureClass: FailureClass | undefined =
        report.state === "crashed" || report.state === "failed" ? (report.signal ? "environment" : "internal") : undefined;
      const next: Component = {
        name,
        role: report.role,
        pid: report.pid,
        state: report.state,
        workerId: report.workerId ?? existing?.workerId ?? null,
        startedAt: report.state === "starting" ? ctx.now : (existing?.startedAt ?? ctx.now),
        readyAt: report.state === "starting" ? null : (existing?.readyAt ?? null),
        lastHeartbeatAt: existing?.lastHeartbeatAt ?? null,
        restarts: report.restarts ?? existing?.restarts ?? 0,
        lastExit: exit ?? existing?.lastExit ?? null,
      };
      // A crash reported late (the server itself was restarting) must not overwrite the newer process
      // that has already said ready: keep its row, record the crash in the history.
      const superseded = existing !== null && existing.state === "ready" && existing.pid !== report.pid && report.state !== "starting";
      this.jobs.store.upsertComponent(superseded ? { ...existing, restarts: next.restarts, lastExit: next.lastExit } : next);
      const data = { name, role: report.role, pid: report.pid, state: report.state, reason: report.reason, restarts: next.restarts };
      ctx.emit("component.state", null, failureClass ? { ...data, failureClass } : data);
      ctx.audit(actor, `component.${report.state}`, name, { ...data, exit, ...(failureClass ? { failureClass } : {}) });
      return next;
    });
  }

  /**
   * The supervisor's run came online: `startedAt` (when `pushpals start` began) to `onlineAt` (when the
   * last component said ready) goes into the audit log, the durable history of time to online
   * (supervisor.json has the same two times, but only while the run lasts).
   */
  online(actor: string, run: { startedAt: number; onlineAt: number; components: string[] }): void {
    this.jobs.record((ctx) => void ctx.audit(actor, "supervisor.online", null, { ...run, elapsedMs: run.onlineAt - run.startedAt }));
  }

  /** A new run (or `start --clean`) forgets the previous run's rows; the audit log keeps their history. */
  reset(actor: string, keep: string[] = []): number {
    return this.jobs.record((ctx) => {
      const kept = this.jobs.store.listComponents().filter((c) => keep.includes(c.name));
      const count = this.jobs.store.listComponents().length - kept.length;
      this.jobs.store.deleteComponents();
      for (const c of kept) this.jobs.store.upsertComponent(c);
      ctx.audit(actor, "components.reset", null, { count, kept: kept.map((c) => c.name) });
      return count;
    });
  }
}
