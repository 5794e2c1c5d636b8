import type { PackageScripts } from "./package-scripts.ts";

/** A script left out, and why (shown as a note). */
export interface SkippedScript {
  script: string;
  why: string;
}

export interface ScriptSelection {
  /** The scripts to configure as checks, in order. */
  checks: string[];
  skipped: SkippedScript[];
}

/**
 * The usual check scripts, in the order they are proposed. A family is a base script and its parts
 * (`lint` and `lint:*`); a family with one name per base has no parts.
 */
const FAMILIES: { bases: string[]; parts: boolean }[] = [
  { bases: ["typecheck", "type-check"], parts: true },
  { bases: ["lint"], parts: true },
  { bases: ["check"], parts: true },
  { bases: ["test"], parts: true },
  { bases: ["build"], parts: false },
  { bases: ["format:check", "fmt:check", "check-format", "format:ci", "prettier:check"], parts: false },
];

/**
 * Which package scripts are checks when CI names none. Per family: a base that only runs its parts
 * (`check: npm run check:type && npm run check:lint`) is configured as those parts, one by one; any
 * other base is configured itself, and the parts it does not run are left to the user; without a base,
 * every part is. Scripts that rewrite files, never end or need a browser are never configured, and a
 * script another configured one already runs is configured once.
 */
export function selectScripts(scripts: PackageScripts): ScriptSelection {
  const picked: string[] = [];
  const skipped: SkippedScript[] = [];
  const claimed = new Set<string>();
  const choice: Choice = {
    pick: (script) => {
      claimed.add(script);
      if (!picked.includes(script)) picked.push(script);
    },
    skip: (script, why) => {
      claimed.add(script);
      if (!skipped.some((s) => s.script === script)) skipped.push({ script, why });
    },
  };
  for (const family of FAMILIES) {
    const base = family.bases.find((b) => scripts.has(b));
    const parts = family.parts ? partsOf(scripts, family.bases).filter((p) => !claimed.has(p)) : [];
    if (!base) parts.forEach((part) => tryPick(scripts, part, choice));
    else if (claimed.has(base)) leaveUnrunParts(scripts, base, parts, choice);
    else pickBase(scripts, base, parts, choice);
  }
  if (!picked.some((s) => /format|fmt|prettier/.test(s)) && scripts.has("format") && scripts.notACheck("format")) {
    choice.skip("format", 'rewrites files, so it is not a check; add a "format:check" script to check formatting');
  }
  return dropCovered(scripts, picked, skipped);
}

interface Choice {
  pick(script: string): void;
  skip(script: string, why: string): void;
}

const notACheck = (why: string) => `${why}, so it is not a check`;

function pickBase(scripts: PackageScripts, base: string, parts: string[], choice: Choice): void {
  const why = scripts.notACheck(base);
  if (why) {
    choice.skip(base, notACheck(why));
    parts.forEach((part) => tryPick(scripts, part, choice));
    return;
  }
  if (scripts.isAggregate(base)) {
    const callees = scripts.callees(base);
    choice.skip(base, `runs ${callees.join(", ")}, which are configured one by one`);
    callees.forEach((callee) => tryPick(scripts, callee, choice));
  } else {
    choice.pick(base);
  }
  leaveUnrunParts(scripts, base, parts, choice);
}

/** The parts of a family its base does not run are the user's call: noted, not configured. */
function leaveUnrunParts(scripts: PackageScripts, base: string, parts: string[], choice: Choice): void {
  const reached = scripts.reachable(base);
  for (const part of parts) {
    if (reached.has(part)) continue;
    const why = scripts.notACheck(part);
    choice.skip(part, why ? notACheck(why) : `is not run by "${base}"; add it to .pushpals/config.toml if it is a check`);
  }
}

function tryPick(scripts: PackageScripts, script: string, choice: Choice): void {
  const why = scripts.notACheck(script);
  if (why) choice.skip(script, notACheck(why));
  else choice.pick(script);
}

/** `lint:js`, `lint:css` for `lint`, in package.json order. */
function partsOf(scripts: PackageScripts, bases: string[]): string[] {
  return scripts.names.filter((name) => bases.some((b) => name.startsWith(`${b}:`)));
}

/** A script another picked one already runs, or with the same command as an earlier one, is configured once. */
export function dropCovered(scripts: PackageScripts, picked: string[], skipped: SkippedScript[]): ScriptSelection {
  const kept: string[] = [];
  for (const [i, script] of picked.entries()) {
    const runner = picked.find((other, j) => other !== script && scripts.reachable(other).has(script) && (!scripts.reachable(script).has(other) || j < i));
    if (runner) {
      skipped.push({ script, why: `is already run by "${runner}"` });
      continue;
    }
    const twin = kept.find((other) => scripts.body(other).trim() === scripts.body(script).trim());
    if (twin) skipped.push({ script, why: `runs the same command as "${twin}"` });
    else kept.push(script);
  }
  return { checks: kept, skipped };
}
