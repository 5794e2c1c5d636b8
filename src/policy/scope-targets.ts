import { POLICY_FILES } from "./policy-defaults.ts";
import { globMatcher } from "./policy-glob.ts";
import type { Policy } from "./policy-schema.ts";
import { classificationOf, type Classification, type RiskReason } from "./tiers.ts";
import { exceptQuarantineFile, QUARANTINE_FILE } from "../test-quarantine/quarantine-path.ts";
import { type RiskTier } from "../core/risk-tier.ts";

/**
 * Classification at enqueue, from the declared write scope: a scope glob that *targets* a protected
 * path (or the policy/config files) makes the change High before any code runs. "Targets" is judged on
 * a representative path of each glob (its wildcards filled in): `src/auth/**` targets `**\/auth/**`,
 * while `src/**` only *could* reach it; the change's actual diff is classified again by the review.
 * A scope naming the test quarantine is Medium (its own rule, see `quarantineFileRule`), not High.
 */
export function classifyScopeTargets(scope: readonly string[], declared: RiskTier, policy: Policy): Classification {
  const isProtected = exceptQuarantineFile(policy.paths.protected, globMatcher(policy.paths.protected));
  const isPolicyFile = globMatcher([...POLICY_FILES]);
  const reasons: RiskReason[] = declared === "low" ? [] : [{ rule: "declared", tier: declared, message: `declared ${declared}` }];
  const targeted = scope.filter((glob) => (representatives(glob) ?? ["**"]).some((path) => path === "**" || isProtected(path)));
  if (targeted.length) reasons.push({ rule: "protected_path", tier: "high", message: "the write scope targets protected path(s) (paths.protected)", paths: targeted });
  const policyFiles = scope.filter((glob) => (representatives(glob) ?? ["**"]).some((path) => path === "**" || isPolicyFile(path)));
  if (policyFiles.length) reasons.push({ rule: "policy_file", tier: "high", message: "the write scope targets the policy or config file", paths: policyFiles });
  const quarantine = scope.filter((glob) => (representatives(glob) ?? []).includes(QUARANTINE_FILE));
  if (quarantine.length) reasons.push({ rule: "quarantine_file", tier: "medium", message: "the write scope targets the test quarantine: a person approves it", paths: quarantine });
  return classificationOf(reasons);
}

/**
 * One representative path per alternative of the glob's braces: `{src,auth}/**` targets both. Null
 * when it has more alternatives than can be judged: callers take that as targeting everything.
 */
export function representatives(glob: string): string[] | null {
  return expandBraces(glob)?.map(representative) ?? null;
}

export const MAX_ALTERNATIVES = 64;

/**
 * `a{b,c{d,e}}f` as `abf`, `acdf`, `acef`; an escaped `\\{` is a brace, not a group. Null past 64
 * alternatives (checked as it goes, so a glob built to explode costs no more than that).
 */
export function expandBraces(glob: string): string[] | null {
  const done: string[] = [];
  const pending = [glob];
  while (pending.length > 0) {
    const next = pending.pop()!;
    const group = firstGroup(next);
    if (!group) {
      done.push(next);
    } else {
      for (const part of group.parts) pending.push(next.slice(0, group.start) + part + next.slice(group.end + 1));
    }
    if (done.length + pending.length > MAX_ALTERNATIVES) return null;
  }
  return done;
}

/** The first top-level `{...}` group of a glob and its comma-separated parts, if any. */
function firstGroup(glob: string): { start: number; end: number; parts: string[] } | null {
  let start = -1;
  let depth = 0;
  const cuts: number[] = [];
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === "\\") {
      i++;
      continue;
    }
    if (ch === "{") {
      if (depth === 0) start = i;
      depth++;
    } else if (ch === "," && depth === 1) {
      cuts.push(i);
    } else if (ch === "}" && depth > 0 && --depth === 0) {
      const bounds = [start, ...cuts, i];
      return { start, end: i, parts: bounds.slice(0, -1).map((from, k) => glob.slice(from + 1, bounds[k + 1])).reverse() };
    }
  }
  return null;
}

/** A path the glob matches, its wildcards filled in: what the glob *targets*. */
export function representative(glob: string): string {
  return glob.replace(/\*\*\/?/g, "x/").replace(/\*/g, "x").replace(/\?/g, "x").replace(/\[[^\]]*\]/g, "x").replace(/\{([^,}]*)[^}]*\}/g, "$1").replace(/\/$/, "/x");
}
