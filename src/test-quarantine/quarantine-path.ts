/**
 * Where the quarantine lives, and how the policy's protected paths see it (no imports: the classifier,
 * the reviewers and the planner read this without the rest of the quarantine's code).
 */
export const QUARANTINE_FILE = ".pushpals/quarantine.toml";

/**
 * Whether `paths.protected` names the quarantine file itself (not only through a glob such as the
 * default `.pushpals/**`): then a change to it is High like any protected path.
 */
export function protectsQuarantineFile(globs: readonly string[]): boolean {
  return globs.some((g) => g.toLowerCase() === QUARANTINE_FILE);
}

/**
 * A protected-path predicate that leaves the quarantine file to its own hard-coded rule (Medium at least,
 * always a person's approval: RULES.quarantineFile) unless `globs` names it exactly.
 */
export function exceptQuarantineFile(globs: readonly string[], isProtected: (path: string) => boolean): (path: string) => boolean {
  if (protectsQuarantineFile(globs)) return isProtected;
  return (path) => path !== QUARANTINE_FILE && isProtected(path);
}
