import { routes } from "../api/routes.ts";
import { PushpalsError } from "../core/errors.ts";
import type { GroupCommit } from "../jobs/group-commit.ts";
import type { JobService } from "../jobs/job-service.ts";
import { recordDirective } from "../kinds/directive/record-directive.ts";
import { DirectiveInput } from "../kinds/directive/directive-input.ts";
import { rfcPrep } from "../kinds/directive/rfc-document.ts";
import { describeIssue } from "../kinds/registry.ts";
import { resolveCommit } from "../scm/branches.ts";
import { personActorOf } from "./caller.ts";
import { json } from "./http.ts";
import type { Router } from "./router.ts";

export interface DirectiveRoutesDeps {
  service: JobService;
  commit: GroupCommit;
  repoRoot: string | null;
  /** `[models]` names a provider: a directive's item is then open for the Agent, not blocked on a question. */
  modelReady?: boolean;
}

/** `pushpals ask`: a directive; a High one with the server's own job writing its RFC. */
export function directiveRoutes(router: Router, deps: DirectiveRoutesDeps): void {
  router.route(routes.recordDirective, async ({ body, caller }) => {
    const parsed = DirectiveInput.safeParse(body.directive);
    if (!parsed.success) {
      const { field, message } = describeIssue("directive", parsed.error);
      throw new PushpalsError("invalid_input", message, { field });
    }
    const directive = parsed.data;
    const high = directive.risk === "high";
    let prep = null;
    if (high) {
      if (!deps.repoRoot) throw new PushpalsError("internal", "the server does not know its repository", {});
      const baseCommit = await resolveCommit(deps.repoRoot, `refs/heads/${body.baseBranch}`);
      if (!baseCommit) throw new PushpalsError("invalid_input", `the base branch "${body.baseBranch}" does not exist`, { field: "baseBranch", hint: "set repo.base_branch, or ask from a branch that exists" });
      prep = await rfcPrep(deps.repoRoot, body.baseBranch, baseCommit);
    }
    const recorded = await deps.commit.run(() => recordDirective(deps.service, personActorOf(caller), directive, prep, deps.modelReady === true));
    return json(recorded, 201);
  });
}
