import type { Specialist } from "../common/specialist.ts";

/**
 * The deterministic specialist: a backlog item of type `codemod` names a command and a write scope
 * (`pushpals backlog add "..." --run "<command>" --scope "src/**"`), and becomes one `run` job, one PR.
 */
export const codemodRunner: Specialist = {
  id: "codemod-runner",
  name: "Codemod Runner",
  version: "1",
  itemTypes: ["codemod"],
  kinds: ["run"],
  role: "codemod",
  needsModel: false,
  limits: { concurrent: 2, dispatchesPerHour: 20, dispatchesPerDay: 100 },
};
