import type { WorkItemRow } from "./work-item-rows.ts";

/**
 * Work items the RemoteAgent selects from, kept as documents and found by their stable dedupe key
 * (the same red check seen twice is one item). Generic in the document type, like the PR store.
 */
export interface WorkItemStore<W extends WorkItemRow = WorkItemRow> {
  insertWorkItem(item: W): void;
  updateWorkItem(item: W): void;
  getWorkItem(id: string): W | null;
  getWorkItemByKey(dedupeKey: string): W | null;
  /** Oldest first (`newest`: newest first). */
  listWorkItems(filter: { states?: readonly string[]; limit: number; newest?: boolean }): W[];
}
