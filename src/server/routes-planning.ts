import { routes } from "../api/routes.ts";
import type { ControlService } from "../control/control-service.ts";
import { PushpalsError } from "../core/errors.ts";
import type { GroupCommit } from "../jobs/group-commit.ts";
import type { JobService } from "../jobs/job-service.ts";
import { answerWorkItem } from "../planning/answer-item.ts";
import { dropWorkItem } from "../planning/drop-item.ts";
import { addBacklogItem, BacklogEntry } from "../sources/backlog/backlog-item.ts";
import { planWork } from "../planning/plan.ts";
import { buildReport } from "../planning/report.ts";
import { durationMs } from "../metrics/metrics-window.ts";
import { metricsSnapshot } from "../metrics/compute-metrics.ts";
import { pullRequests } from "../prs/pr-store.ts";
import { capWindow, type DispatchLimits } from "../planning/caps.ts";
import { dispatchWorkItem } from "../planning/dispatch.ts";
import { loadPolicyAt, loadPrPolicy } from "../policy/load-policy-at.ts";
import type { Policy } from "../policy/policy-schema.ts";
import { previewSelection } from "../planning/selection-risk.ts";
import { resolveCommit } from "../scm/branches.ts";
import { SPECIALIST_SPECS, SPECIALISTS } from "../specialists/registry.ts";
import { specialistFor } from "../planning/specialist.ts";
import { SOURCES } from "../sources/registry.ts";
import { dependencyDashboard } from "../sources/dependency-updates/dashboard.ts";
import { DEPENDENCY_UPDATE_TYPE } from "../sources/dependency-updates/deps-scan-result.ts";
import { ACTIVE_WORK_ITEM_STATES, type WorkItem } from "../planning/work-item.ts";
import { workItems } from "../planning/work-items.ts";
import { describeIssue } from "../kinds/registry.ts";
import type { Store } from "../store/store.ts";
import { actorOf, personActorOf } from "./caller.ts";
import { json } from "./http.ts";
import type { Router } from "./router.ts";

const LIMIT = 5_000;
const NEEDS_MODEL = "needs a model backend; none is configured ([models] in .pushpals/config.toml)";

/** `pushpals plan`, `backlog add|list|drop`, `answer`: the work items and their ranking. */
export function planningRoutes(
  router: Router,
  deps: { store: Store; service: JobService; control: ControlService; commit: GroupCommit; repoRoot: string | null; baseBranch: string | null; limits: DispatchLimits; modelReady?: boolean },
): void {
  const { store, service, control, commit } = deps;
  // A specialist that needs a model takes nothing while none is configured: its items show the missing capability.
  const usable = SPECIALISTS.filter((s) => !s.spec.needsModel || deps.modelReady === true);
  const usableSpecs = usable.map((s) => s.spec);
  const unavailable = SPECIALISTS.filter((s) => !usable.includes(s)).map((s) => ({ spec: s.spec, why: NEEDS_MODEL }));
  const items = workItems(store);
  const policy = recentPolicy(deps.repoRoot, deps.baseBranch);
  router
    .route(routes.plan, async () => {
      const current = await policy();
      const select = current ? previewSelection(current, usable) : undefined;
      return json(planWork(capWindow(store), { now: Date.now(), pause: control.state(), limits: deps.limits, select, specialists: usableSpecs, unavailable, hold: holdOnto(deps.baseBranch) }));
    })
    // A specialist that needs a model is listed as unavailable while none is configured, saying so.
    .route(routes.listSpecialists, () =>
      json({
        specialists: SPECIALIST_SPECS.map((s) => {
          const available = !s.needsModel || deps.modelReady === true;
          return { ...s, available, why: available ? null : NEEDS_MODEL };
        }),
        sources: SOURCES.map((s) => ({ id: s.id, summary: s.summary, itemTypes: [...s.itemTypes] })),
      }),
    )
    .route(routes.report, ({ query }) => {
      const now = Date.now();
      const since = now - durationMs(query.since ?? "24h");
      const plan = planWork(capWindow(store), { now, pause: control.state(), limits: deps.limits, specialists: usableSpecs, unavailable, hold: holdOnto(deps.baseBranch) });
      const recent = items.listWorkItems({ limit: LIMIT, newest: true });
      return json(buildReport(pullRequests(store).listPullRequests({ state: "merged", limit: LIMIT }), plan, since, now, metricsSnapshot(store, now, since), recent));
    })
    .route(routes.dependencies, () => {
      const now = Date.now();
      const plan = planWork(capWindow(store), { now, pause: control.state(), limits: deps.limits, specialists: usableSpecs, unavailable, hold: holdOnto(deps.baseBranch) });
      const [scanJob] = store.listJobs({ kind: "deps-scan", state: "succeeded", newest: true, limit: 1 });
      const [newest] = store.listJobs({ kind: "deps-scan", newest: true, limit: 1 });
      const steward = items.listWorkItems({ limit: LIMIT, newest: true }).filter((i) => i.type === DEPENDENCY_UPDATE_TYPE);
      const prs = pullRequests(store);
      return json(dependencyDashboard(scanJob ?? null, newest ?? null, steward, plan.entries, (n) => prs.getPullRequest(n)?.state === "closed"));
    })
    .route(routes.listWorkItems, ({ query }) => json({ items: items.listWorkItems({ states: query.all === "1" ? undefined : ACTIVE_WORK_ITEM_STATES, limit: LIMIT }) }))
    .route(routes.addBacklog, async ({ body, caller }) => {
      const parsed = BacklogEntry.safeParse(body.entry);
      if (!parsed.success) {
        const { field, message } = describeIssue("entry", parsed.error);
        throw new PushpalsError("invalid_input", message, { field });
      }
      const item = await commit.run(() => service.record((ctx) => addBacklogItem(ctx, personActorOf(caller), parsed.data)));
      return json({ item }, 201);
    })
    .route(routes.dropWorkItem, async ({ params, body, caller }) => {
      const actor = personActorOf(caller);
      const reason = body.reason ?? `dropped by ${actor}`;
      const { item, cancel } = await commit.run(() => service.record((ctx) => dropWorkItem(ctx, actor, params.id, reason)));
      // Dropped first, cancelled after: a crash between leaves a task whose end no longer moves its item.
      if (cancel) await commit.run(() => service.cancel(cancel, actor, `work item ${item.id} was dropped: ${reason}`));
      return json({ item });
    })
    .route(routes.dispatchWorkItem, async ({ params, body, caller }) => {
      if (!deps.repoRoot) throw new PushpalsError("internal", "the server does not know its repository", {});
      const baseCommit = await resolveCommit(deps.repoRoot, `refs/heads/${body.baseBranch}`);
      if (!baseCommit) throw new PushpalsError("invalid_input", `the base branch "${body.baseBranch}" does not exist`, { field: "baseBranch" });
      const actor = actorOf(caller);
      const base = { baseBranch: body.baseBranch, baseCommit };
      // Classification at selection is under the stricter of the policies at that commit and at the branch's head.
      const { policy } = await loadPrPolicy(deps.repoRoot, baseCommit, body.baseBranch);
      const gate = { paused: control.state() !== null, limits: deps.limits, policy, specialists: usable };
      return json(await commit.run(() => service.record((ctx) => dispatchWorkItem(ctx, service, actor, params.id, base, gate))));
    })
    .route(routes.answerWorkItem, async ({ params, body, caller }) => {
      // What changes the task (a command a WorkerPal runs, its write scope, the RFC it carries out) comes from the owner's socket only, as `backlog add` (access `human`).
      if ((body.command !== undefined || body.scope !== undefined || body.rfc !== undefined) && caller.listener !== "owner") {
        throw new PushpalsError("forbidden", "an answer that names a command, a scope or an RFC is given on the owner's socket only", { hint: "answer without --run, --scope and --rfc, or ask the OS user running PushPals" });
      }
      return json({ item: await commit.run(() => service.record((ctx) => answerWorkItem(ctx, personActorOf(caller), params.id, body))) });
    });
}

/** A specialist's own reason not to take an item now onto the base branch (the Dependency Steward's schedule). */
function holdOnto(baseBranch: string | null): (item: WorkItem, now: number) => string | null {
  return (item, now) => specialistFor(item, SPECIALISTS)?.hold?.(item, now, baseBranch) ?? null;
}

/**
 * The policy `pushpals plan` previews classification under: the one committed at the base branch's
 * head, as dispatch reads it (never the checkout's HEAD: a job branch checked out there holds what a
 * sandboxed command wrote). None without a base branch or when it does not parse. Read at most every
 * 2 s, one read shared by every request meanwhile (the RemoteAgent reads the plan twice a second).
 */
function recentPolicy(repoRoot: string | null, baseBranch: string | null): () => Promise<Policy | null> {
  let kept: { at: number; policy: Promise<Policy | null> } | null = null;
  const read = async (): Promise<Policy | null> => {
    if (!repoRoot || !baseBranch) return null;
    const head = await resolveCommit(repoRoot, `refs/heads/${baseBranch}`);
    if (!head) return null;
    return loadPolicyAt(repoRoot, head).then((l) => l.policy, () => null);
  };
  return () => {
    if (!kept || Date.now() - kept.at >= 2_000) kept = { at: Date.now(), policy: read().catch(() => null) };
    return kept.policy;
  };
}
