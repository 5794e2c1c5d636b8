import { z } from "zod";

/**
 * The `[dependency_steward]` config section: how often the Dependency Steward looks for updates, when it
 * may open PRs, and how it groups them (`package_rules`). The lists below name the same dependency types
 * and update kinds as src/updates (extract.ts, plan-updates.ts); config sits below updates in the import
 * graph, so they are spelt out here, and src/updates/group-updates.ts matches the plan's own types against
 * them: one missing here fails to compile there.
 */

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export const Weekday = z.enum(WEEKDAYS);
export type Weekday = z.infer<typeof Weekday>;

export const RULE_DEPENDENCY_TYPES = ["prod", "dev", "optional", "peer"] as const;
export const RULE_UPDATE_KINDS = ["in-range", "minor", "major"] as const;

const Hour = z.number().int().min(0).max(24);

export const StewardTimezone = z
  .string()
  .min(1)
  .max(64)
  .refine(isTimeZone, { error: 'is not an IANA time zone this machine knows, such as "UTC", "Europe/Berlin" or "America/New_York"' });

/** When the steward may open and update PRs; scanning is not limited by it. */
export const StewardSchedule = z.strictObject({
  days: z
    .array(Weekday)
    .min(1, "must name at least one day")
    .refine((days) => new Set(days).size === days.length, "must not name a day twice")
    .default(() => [...WEEKDAYS]),
  /**
   * [from, to): from o'clock inclusive to o'clock exclusive, local time, on each of `days`. A window across
   * midnight cannot be written: [22, 6] is refused rather than guessed at.
   */
  hours: z
    .tuple([Hour, Hour])
    .refine(([from, to]) => from < to, "must be [from, to] with from < to (hours 0 to 24 of one local day; a window across midnight is not supported)")
    .default(() => [0, 24] as [number, number]),
  /** An IANA zone; the hours follow its daylight saving time. */
  timezone: StewardTimezone.default("UTC"),
});
export type StewardSchedule = z.infer<typeof StewardSchedule>;

/**
 * A package name or a glob over names: `*` is any run of characters, `/` included (so `*` is every
 * package, scoped ones too, and `@types/*` every `@types` package), `?` one character.
 */
export const PackageNamePattern = z
  .string()
  .min(1)
  .max(214)
  .regex(/^(@[a-z0-9*?._~-]+\/)?[a-z0-9*?._~-]+$/i, "must be a package name or a name glob such as @scope/* or eslint-*");

/** A group name: it becomes part of a branch name and a PR's identity, so a lowercase slug. */
export const GroupName = z
  .string()
  .max(40)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be a lowercase slug such as "eslint" or "test-tools"');

/**
 * One `[[dependency_steward.package_rules]]`: the updates it matches (every listed condition must hold)
 * and what it says about them. Every matching rule applies in file order and a later one overrides an
 * earlier one for each key it sets, so `group` and `enabled` have no default here: an absent key leaves
 * what an earlier rule said (Renovate's packageRules). When no rule sets them: the default grouping, enabled.
 */
export const PackageRule = z.strictObject({
  /** Matched against the registry name and, for an `npm:` alias, the manifest's key too. */
  packages: z.array(PackageNamePattern).min(1).max(256).default(() => ["*"]),
  dep_types: z.array(z.enum(RULE_DEPENDENCY_TYPES)).min(1).default(() => [...RULE_DEPENDENCY_TYPES]),
  update_types: z.array(z.enum(RULE_UPDATE_KINDS)).min(1).default(() => [...RULE_UPDATE_KINDS]),
  /** The matching updates go in one PR, group `rule-<group>`; null: back to the default grouping. */
  group: GroupName.nullable().optional(),
  /** false: the matching updates are not offered (listed as ignored, naming the rule). */
  enabled: z.boolean().optional(),
});
export type PackageRule = z.infer<typeof PackageRule>;

export const DependencySteward = z.strictObject({
  /** Look for updates this often, in seconds (0: never on a schedule, only when asked). */
  scan_every_seconds: z.number().int().min(0).max(7 * 86_400),
  /** Offer updates of peer dependencies too (a peer range is a promise to the package's users). */
  peers: z.boolean(),
  /**
   * Also one PR that refreshes the lockfile within the manifests' ranges; the in-range updates then go
   * there only (the non-major PRs carry the range rewrites alone).
   */
  lockfile_maintenance: z.boolean(),
  /** Starts each PR title and commit subject ("" for none). */
  commit_prefix: z
    .string()
    .max(40)
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "must be one line without control characters"),
  schedule: StewardSchedule,
  /** At most 100, applied in order; see PackageRule. */
  package_rules: z.array(PackageRule).max(100),
});
export type DependencySteward = z.infer<typeof DependencySteward>;

export const DEFAULT_DEPENDENCY_STEWARD: DependencySteward = {
  scan_every_seconds: 21_600,
  peers: false,
  lockfile_maintenance: false,
  commit_prefix: "chore(deps):",
  schedule: StewardSchedule.parse({}),
  package_rules: [],
};

/** A predicate true for a name any of `patterns` (PackageNamePattern) matches, whole. */
export function packageNameMatcher(patterns: readonly string[]): (name: string) => boolean {
  const compiled = patterns.map((p) => new RegExp(`^${[...p].map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\-]/g, "\\$&"))).join("")}$`, "i"));
  return (name) => compiled.some((r) => r.test(name));
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
