import { codemodRunner } from "./codemod-runner/index.ts";
import type { Specialist } from "./common/specialist.ts";

/**
 * Every specialist. Adding one is its folder beside this file plus one line here. The Dependency
 * Steward, CI Medic and Conflict Resolver (issues #16-#18) register here; until then the plan names
 * each other item's missing capability instead of guessing.
 */
export const SPECIALISTS: readonly Specialist[] = [codemodRunner];

/** The specialist that takes items of `type`, first registered first. */
export function specialistFor(type: string, registry: readonly Specialist[] = SPECIALISTS): Specialist | null {
  return registry.find((s) => s.itemTypes.includes(type)) ?? null;
}
