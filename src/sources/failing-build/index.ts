import type { WorkSourceDefinition } from "../common/work-source.ts";

export const failingBuildSource: WorkSourceDefinition = {
  id: "failing_build",
  summary: "the base branch's checks, on every new head and on a schedule (remote_agent.check_base_every_seconds): one item per red check",
  itemTypes: ["red_check"],
};
