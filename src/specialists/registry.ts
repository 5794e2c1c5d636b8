import type { Specialist, SpecialistPlugin } from "../planning/specialist.ts";
import { agent } from "./agent/index.ts";
import { bugFixer } from "./bug-fixer/index.ts";
import { ciMedic } from "./ci-medic/index.ts";
import { codemodRunner } from "./codemod-runner/index.ts";
import { conflictResolver } from "./conflict-resolver/index.ts";
import { dependencySteward } from "./dependency-steward/index.ts";
import { performanceTuner } from "./performance-tuner/index.ts";
import { refactorer } from "./refactorer/index.ts";
import { securitySentinel } from "./security-sentinel/index.ts";

/**
 * Every specialist. Adding one is its folder beside this file plus one line here; the plan names each
 * other item's missing capability instead of guessing.
 */
export const SPECIALISTS: readonly SpecialistPlugin[] = [codemodRunner, ciMedic, dependencySteward, conflictResolver, bugFixer, refactorer, performanceTuner, agent, securitySentinel];

/** Their declarations, as the plan and `pushpals specialists` show them. */
export const SPECIALIST_SPECS: readonly Specialist[] = SPECIALISTS.map((p) => p.spec);
