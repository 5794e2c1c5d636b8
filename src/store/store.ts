import type { AuditStore } from "./audit/audit-store.ts";
import type { ComponentStore } from "./components/component-store.ts";
import type { EventStore } from "./events/event-store.ts";
import type { JobStore, WorkerStore } from "./jobs/job-store.ts";
import type { MetaStore } from "./meta/meta-store.ts";
import type { PullRequestStore } from "./prs/pr-store.ts";
import type { WorkItemStore } from "./work-items/work-item-store.ts";
import type { TestRunStore } from "./test-runs/test-run-store.ts";
import type { ModelExchangeStore } from "./model-exchanges/model-exchange-store.ts";

/**
 * The durable state of PushPals: one port per domain, over one database. The SQLite backend is the
 * default; anything that implements this (a Postgres backend for teams) can sit behind the job service
 * unchanged. Every mutation must happen inside `write`, which is one serializable transaction; a
 * `write` inside another is a nested, separately atomic unit (savepoint) of the outer one.
 */
export interface Store extends JobStore, WorkerStore, EventStore, AuditStore, MetaStore, ComponentStore, PullRequestStore, WorkItemStore, TestRunStore, ModelExchangeStore {
  write<T>(fn: () => T): T;
  close(): void;
}
