import type { Specialist, SpecialistPlugin } from "../../planning/specialist.ts";
import { modelJob, modelTask } from "../agent/model-task.ts";

/**
 * The Refactorer (#19): an issue or a directive labelled refactor, carried out by the agent loop in
 * `refactor` mode, whose definition of done is enforced in code (agent-run/refactor-payoff.ts): no file of
 * the test suite changes, every check passes on the exact commit, and the payoff (lines, complexity,
 * duplicated lines) is measured on the committed files and stated in the PR; no payoff, no PR.
 */
const spec: Specialist = {
  id: "refactorer",
  name: "Refactorer",
  version: "0.1",
  itemTypes: ["github_issue", "directive"],
  labels: ["refactor", "refactoring", "tech-debt"],
  kinds: ["agent-run"],
  role: "codemod",
  needsModel: true,
  limits: { concurrent: 1, dispatchesPerHour: 4, dispatchesPerDay: 12 },
};

export const refactorer: SpecialistPlugin = {
  spec,
  task: (item) =>
    modelTask(item, spec, {
      goal: `refactor, preserving behaviour: ${item.title}`,
      definitionOfDone: [
        "behaviour preserved: no test, fixture or snapshot changes, and every configured check passes on the exact commit",
        "a measurable payoff on the changed files: fewer lines, less complexity or fewer duplicated lines, and neither complexity nor duplicates grow (measured, stated in the PR)",
      ],
    }),
  jobInput: (item, task, base) => modelJob(item, task, base, "refactor", `Refactor: ${item.title}`),
};
