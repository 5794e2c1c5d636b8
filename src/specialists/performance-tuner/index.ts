import type { Specialist, SpecialistPlugin } from "../../planning/specialist.ts";
import { modelJob, modelTask } from "../agent/model-task.ts";

/**
 * The Performance Tuner (#19): an issue or a directive labelled performance, carried out by the agent loop
 * in `performance` mode, whose definition of done is enforced in code (agent-run/benchmark-gain.ts): the
 * benchmarks committed in `[benchmarks]` run before and after on this machine in one job, and only a gain
 * beyond noise, with no benchmark slower, opens a PR with the ratios. A performance-critical change is at
 * least Medium (the vision's tiers): a person approves it.
 */
const spec: Specialist = {
  id: "performance-tuner",
  name: "Performance Tuner",
  version: "0.1",
  itemTypes: ["github_issue", "directive"],
  labels: ["performance", "perf"],
  kinds: ["agent-run"],
  role: "codemod",
  needsModel: true,
  limits: { concurrent: 1, dispatchesPerHour: 2, dispatchesPerDay: 8 },
};

export const performanceTuner: SpecialistPlugin = {
  spec,
  task: (item) =>
    modelTask(item, spec, {
      goal: `make it faster: ${item.title}`,
      floor: "medium",
      definitionOfDone: [
        "the benchmarks committed in [benchmarks] run on the base and on the change, in turns, in this job",
        "at least one improves beyond noise (its median by the configured minimum, and every run of the change better than every run of the base); none gets slower",
        "every configured check passes on the exact commit; the PR shows the before and after figures and the ratio",
      ],
    }),
  jobInput: (item, task, base) => modelJob(item, task, base, "performance", `Speed up: ${item.title}`),
};
