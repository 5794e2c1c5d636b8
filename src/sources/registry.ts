import { WORK_SOURCES } from "../planning/work-item.ts";
import { backlogSource } from "./backlog/index.ts";
import type { WorkSourceDefinition } from "./common/work-source.ts";
import { dependencyUpdatesSource } from "./dependency-updates/index.ts";
import { directiveSource } from "./directive/index.ts";
import { failingBuildSource } from "./failing-build/index.ts";
import { githubIssuesSource } from "./github-issues/index.ts";
import { onboardingSource } from "./onboarding/index.ts";
import { prFollowupSource } from "./pr-followup/index.ts";
import { securityAuditSource } from "./security-audit/index.ts";

/**
 * Every work-source plug-in, in the vision's order of precedence (`WORK_SOURCES`; the sort is stable,
 * so plug-ins of one source, e.g. the local and the labelled backlog, keep the order listed here).
 * Adding one: a folder and a line here.
 */
export const SOURCES: readonly WorkSourceDefinition[] = [directiveSource, failingBuildSource, backlogSource, githubIssuesSource, dependencyUpdatesSource, securityAuditSource, prFollowupSource, onboardingSource].sort(
  (a, b) => WORK_SOURCES.indexOf(a.id) - WORK_SOURCES.indexOf(b.id),
);
