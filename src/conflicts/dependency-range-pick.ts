import semver from "semver";

/**
 * Both sides of a merge moved one dependency to different specs. When both are the same kind of plain
 * range (`^1.3.0` / `^1.4.1`, `~1.3.0` / `~1.3.4`, exact `1.3.0` / `1.4.1`, or the same `npm:` alias
 * target at such ranges) and stay API-compatible, the higher one is taken; anything else is for a person.
 */
export type RangePick = { ok: true; spec: string; side: "ours" | "theirs" } | { ok: false; why: string };

type PlainRange = { prefix: string; op: string; version: string };

// Full three-part versions only: a partial `1.2` is a range of its own, not a pin, and a prerelease or
// build tag means someone chose that exact build on purpose.
const PLAIN = /^(\^|~|)(\d+\.\d+\.\d+)$/;
const NPM_ALIAS = /^npm:((?:@[^/@\s]+\/)?[^/@\s]+)@(.+)$/;

function parsePlain(spec: string): PlainRange | null {
  let prefix = "";
  let range = spec;
  const alias = NPM_ALIAS.exec(spec);
  if (alias) {
    prefix = `npm:${alias[1]}@`;
    range = alias[2]!;
  }
  const m = PLAIN.exec(range);
  if (!m || semver.valid(m[2]!) === null) return null;
  return { prefix, op: m[1]!, version: m[2]! };
}

/**
 * The part of a version that breaks compatibility when it moves: the major, or for 0.x the first
 * non-zero part (0.3 is not compatible with 0.2, the way ^0.2.0 already treats it).
 */
function compatibilityLine(version: string): string {
  const v = semver.parse(version)!;
  if (v.major > 0) return `${v.major}`;
  if (v.minor > 0) return `0.${v.minor}`;
  return `0.0.${v.patch}`;
}

export function pickHigherRange(ours: string, theirs: string): RangePick {
  const o = parsePlain(ours);
  const t = parsePlain(theirs);
  if (!o || !t) {
    const which = !o && !t ? "neither side's spec is" : !o ? "ours is not" : "theirs is not";
    return { ok: false, why: `${which} a plain version range (${ours} vs ${theirs})` };
  }
  if (o.prefix !== t.prefix) return { ok: false, why: `the sides install different packages (${ours} vs ${theirs})` };
  if (o.op !== t.op) return { ok: false, why: `the sides use different range operators (${ours} vs ${theirs})` };
  if (compatibilityLine(o.version) !== compatibilityLine(t.version)) {
    return { ok: false, why: `the sides moved to incompatible versions (${ours} vs ${theirs})` };
  }
  const oMin = semver.minVersion(`${o.op}${o.version}`);
  const tMin = semver.minVersion(`${t.op}${t.version}`);
  if (!oMin || !tMin) return { ok: false, why: `cannot compare ${ours} with ${theirs}` };
  return semver.gte(oMin, tMin) ? { ok: true, spec: ours, side: "ours" } : { ok: true, spec: theirs, side: "theirs" };
}
