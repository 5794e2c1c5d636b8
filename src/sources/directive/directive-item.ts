import type { WriteContext } from "../../jobs/transition.ts";
import type { Job } from "../../store/jobs/job-rows.ts";
import type { WorkItem } from "../../planning/work-item.ts";
import { upsertWorkItem } from "../../planning/work-items.ts";

interface DirectiveFields {
  goal: string;
  risk: WorkItem["risk"];
  scope: string[];
  done: string | null;
  constraints: string | null;
  labels: string[];
}

/**
 * A CTO directive is the first source of work. With a model configured, the Agent carries it out (the
 * item is open for the RemoteAgent); without one, no recipe covers it, so it is blocked at once with the
 * question of what is missing, rather than guessed at.
 */
export function recordDirectiveItem(ctx: WriteContext, actor: string, job: Job, directive: DirectiveFields, modelReady = false): WorkItem {
  const waits = modelReady
    ? { state: "open" as const, escalation: null, question: null }
    : {
        state: "blocked" as const,
        escalation: "ambiguous" as const,
        question: `No recipe turns this directive into a task, and guessing would decide its behaviour for you: which task should it become (pushpals answer <item> "..." --run "<command>" --scope "<glob>": the Codemod Runner carries it out), should it be dropped, or should a model carry it out ([models] in .pushpals/config.toml, then answer it)?`,
      };
  return upsertWorkItem(ctx, actor, {
    dedupeKey: `directive:${job.id}`,
    source: "directive",
    type: "directive",
    title: directive.goal.split("\n")[0]!.slice(0, 300),
    priority: 50,
    risk: directive.risk,
    scope: directive.scope,
    labels: directive.labels,
    notes: [directive.constraints && `Constraints: ${directive.constraints}`, directive.done && `Definition of done: ${directive.done}`].filter(Boolean).join("\n") || null,
    createdBy: actor,
    ...waits,
    detail: { job: job.id },
  });
}
