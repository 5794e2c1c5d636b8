import type { WorkSource } from "../../planning/work-item.ts";

/**
 * A work source's declaration: which of the vision's sources it is (its precedence follows from
 * that), what it watches, and the item types it files. Each source files its items through
 * `upsertWorkItem` with a stable dedupe key, from where it learns of the work (a directive recorded,
 * a checks job ended, a person's `backlog add`, the server's sweep of open PRs).
 */
export interface WorkSourceDefinition {
  id: WorkSource;
  summary: string;
  itemTypes: readonly string[];
}
