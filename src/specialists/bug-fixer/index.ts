import { PushpalsError } from "../../core/errors.ts";
import type { Specialist, SpecialistPlugin } from "../../planning/specialist.ts";
import { modelJob, modelTask } from "../agent/model-task.ts";

/**
 * The Bug Fixer (#19): a labelled issue that is a bug, carried out by the agent loop in `bug_fix` mode,
 * whose definition of done is enforced in code (agent-run/reproduce-first.ts): a test in the change fails
 * on the base without the fix and every check passes with it; no PR without that evidence. The issue's
 * text is anyone's: it reaches the model as the task's data, never as a command or a scope.
 */
const spec: Specialist = {
  id: "bug-fixer",
  name: "Bug Fixer",
  version: "0.1",
  itemTypes: ["github_issue"],
  labels: ["bug"],
  kinds: ["agent-run"],
  role: "codemod",
  needsModel: true,
  limits: { concurrent: 1, dispatchesPerHour: 4, dispatchesPerDay: 12 },
};

export const bugFixer: SpecialistPlugin = {
  spec,
  task(item) {
    if (!item.labels.some((l) => l.toLowerCase() === "bug")) {
      throw new PushpalsError("invalid_input", `${item.title.slice(0, 120)} is not labelled bug: the Bug Fixer takes bugs only`, { hint: "label it bug, or turn it into a directive (pushpals ask)" });
    }
    return modelTask(item, spec, {
      goal: `fix ${item.title}`,
      definitionOfDone: [
        "first a test that reproduces the bug: it fails on the base without the fix (checked: the base with only the new test must fail)",
        "then the fix: that test and every configured check pass on the exact commit",
        "the PR shows the failing-then-passing evidence",
      ],
    });
  },
  jobInput: (item, task, base) => modelJob(item, task, base, "bug_fix", `Fix ${item.title}`),
};
