import type { RouteName } from "../api/routes.ts";
import type { Route } from "../api/define-route.ts";
import { PushpalsError } from "../core/errors.ts";
import { kindById } from "../kinds/registry.ts";
import type { Store } from "../store/store.ts";
import type { Caller } from "./caller.ts";

/**
 * Who may call a route:
 * - `read`: anyone who can connect, on any listener (the loopback TCP one included);
 * - `decide`: a person (no component credential), on the owner's or the people's socket (approve, reject, ask for a merge);
 * - `person`: anyone identified on the owner's socket (a person, or a component);
 * - `human`: a person on the owner's socket, never a component (what becomes work: a backlog item can name a command);
 * - `owner`: the server's own OS user on its socket (credentials for processes it runs by hand);
 * - `component`: a component credential of the route's role (see `checkComponent`).
 */
type Access = "read" | "decide" | "person" | "human" | "owner" | "component";

/** Every route's access, by name: adding a route without saying who may call it does not compile. */
const ACCESS: Record<RouteName, Access> = {
  health: "read",
  status: "read",
  events: "read",
  verifyAudit: "read",
  exportAudit: "read",
  listJobs: "read",
  getJob: "read",
  jobLogs: "read",
  listWorkers: "read",
  listComponents: "read",
  listPrs: "read",
  getPr: "read",
  prGate: "read",
  getControl: "read",
  metrics: "read",
  prometheusMetrics: "read",
  approvePr: "decide",
  rejectPr: "decide",
  mergePr: "decide",
  enqueueJob: "person",
  recordDirective: "person",
  plan: "read",
  listWorkItems: "read",
  addBacklog: "human",
  dropWorkItem: "human",
  answerWorkItem: "decide",
  dispatchWorkItem: "component",
  listSpecialists: "read",
  dependencies: "read",
  flakyTests: "read",
  securityReport: "read",
  requestSecurityAudit: "human",
  modelExchanges: "read",
  modelUsage: "read",
  report: "read",
  cancelJob: "person",
  unblockJob: "person",
  closePr: "person",
  revertPr: "human",
  pause: "person",
  resume: "person",
  issueCredential: "owner",
  registerWorker: "component",
  claimJob: "component",
  heartbeatJob: "component",
  appendJobLogs: "component",
  reportProgress: "component",
  recordCommand: "component",
  recordTests: "component",
  recordModelExchange: "component",
  completeJob: "component",
  failJob: "component",
  releaseJob: "component",
  componentReady: "component",
  componentHeartbeat: "component",
  componentReport: "component",
  resetComponents: "component",
  workerLost: "component",
  supervisorOnline: "component",
};

/** Routes of a job a worker holds: only a component of the job's kind's role may call them. */
const LEASE_ROUTES = new Set<string>(["heartbeatJob", "appendJobLogs", "reportProgress", "recordCommand", "recordTests", "recordModelExchange", "completeJob", "failJob", "releaseJob"]);
/** The supervisor's reports on the processes it runs. */
const SUPERVISOR_ROUTES = new Set<string>(["componentReport", "resetComponents", "workerLost", "supervisorOnline"]);

export interface AccessRequest {
  params: Record<string, string | number>;
  /** Undefined before the body is read: the checks that need it wait for the second call. */
  body: unknown;
}

/** Refuses the call unless this caller may make it; runs after the body is validated, before the handler. */
export function authorize(store: Store, route: Route, caller: Caller, request: AccessRequest): void {
  const access = ACCESS[route.name as RouteName];
  if (access === "read") return;
  if (caller.listener === "tcp") {
    throw new PushpalsError("forbidden", `the loopback TCP listener is read-only: ${route.method} ${route.path} is not answered there`, {
      hint: "PushPals' clients write through the socket in the runtime directory (the pushpals CLI does)",
    });
  }
  if (caller.listener === "people" && access !== "decide") {
    throw new PushpalsError("forbidden", `the people's socket answers reads, approve, reject and merge requests only, not ${route.method} ${route.path}`, {
      hint: "the OS user running PushPals does the rest from its own account",
    });
  }
  if (access === "human") {
    if (!caller.person) throw new PushpalsError("forbidden", "the kernel did not say who is calling");
    if (caller.component) throw new PushpalsError("forbidden", `a component (${caller.component.role}) may not ${describe(route)}: people choose the work`);
    return;
  }
  if (access === "decide" || access === "person") {
    if (!caller.person) throw new PushpalsError("forbidden", "the kernel did not say who is calling");
    // People decide: a component's credential (even one issued by hand) never approves, rejects or asks for a merge.
    if (access === "decide" && caller.component) throw new PushpalsError("forbidden", `a component (${caller.component.role}) may not ${describe(route)}: people decide`);
    return;
  }
  if (access === "owner") {
    if (!caller.owner) throw new PushpalsError("forbidden", `only the OS user running PushPals may ${describe(route)}`, { hint: "run it from that account" });
    return;
  }
  checkComponent(store, route, caller, request);
}

function checkComponent(store: Store, route: Route, caller: Caller, { params, body }: AccessRequest): void {
  const holder = caller.component;
  if (!holder) {
    throw new PushpalsError("forbidden", `${describe(route)} needs a component credential`, {
      hint: "components started by `pushpals start` get one from the supervisor; `pushpals worker` and `pushpals agent` run by the same OS user get one themselves",
    });
  }
  const refuse = (why: string) => new PushpalsError("forbidden", `${holder.role} ${holder.name} may not ${describe(route)}: ${why}`);
  if (SUPERVISOR_ROUTES.has(route.name)) {
    if (holder.role !== "supervisor") throw refuse("only the supervisor reports on the processes it runs");
    return;
  }
  if (holder.role === "supervisor") throw refuse("the supervisor runs no jobs");
  if (route.name === "dispatchWorkItem") {
    if (holder.role !== "remote-agent") throw refuse("only the RemoteAgent dispatches work items");
    return;
  }
  if (route.name === "registerWorker" || route.name === "claimJob") {
    if (body === undefined) return; // checked again once the body is read
    for (const kind of (body as { kinds: string[] }).kinds) {
      const role = kindById(kind)?.role ?? null;
      if (role !== holder.role) throw refuse(`${kind} jobs are run by ${role ? `the ${role} role` : "no component"}`);
    }
    return;
  }
  if (LEASE_ROUTES.has(route.name)) {
    const job = store.getJob(String(params.id));
    // An unknown job is the handler's 404.
    if (job && kindById(job.kind)?.role !== holder.role) throw refuse(`job ${job.id} is a ${job.kind} job`);
    return;
  }
  // The readiness handshake: a component speaks for itself only.
  if (params.name !== holder.name) throw refuse(`it is ${holder.name}, not ${String(params.name)}`);
  const role = (body as { role?: string } | undefined)?.role;
  if (role !== undefined && role !== holder.role) throw refuse(`its credential is for ${holder.role}, not ${role}`);
}

function describe(route: Route): string {
  return `call ${route.method} ${route.path}`;
}
