/** What the store itself reads of a work item; the planning domain's `WorkItem` is the whole document. */
export interface WorkItemRow {
  id: string;
  dedupeKey: string;
  state: string;
  createdAt: number;
}
