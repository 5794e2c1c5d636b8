import type { WorkSourceDefinition } from "../common/work-source.ts";
import { ONBOARDING_TYPE } from "./onboarding-item.ts";

export const onboardingSource: WorkSourceDefinition = {
  id: "onboarding",
  summary: "onboarding friction: the configured install or checks cannot run in a fresh worktree of the base",
  itemTypes: [ONBOARDING_TYPE],
};
