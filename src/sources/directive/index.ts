import type { WorkSourceDefinition } from "../common/work-source.ts";

export const directiveSource: WorkSourceDefinition = {
  id: "directive",
  summary: "CTO directives: `pushpals ask`, with goal, constraints, risk, definition of done and notes",
  itemTypes: ["directive"],
};
