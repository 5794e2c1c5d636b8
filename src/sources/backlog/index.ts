import type { WorkSourceDefinition } from "../common/work-source.ts";

export const backlogSource: WorkSourceDefinition = {
  id: "backlog",
  summary: "the local backlog: `pushpals backlog add` (a codemod names its command and write scope)",
  itemTypes: ["backlog_task", "codemod"],
};
