import { z } from "zod";
import { KindName } from "../core/kind-name.ts";
import { GlobList } from "./policy-glob.ts";
import { RiskTier } from "../core/risk-tier.ts";

/**
 * `.pushpals/policy.toml`: how risky a change is and what it needs before it merges. Committed and
 * reviewed like code (a change to it is always High). Keys are snake_case; every table is strict, so a
 * misspelt key is an error that names it.
 */

const Tier = RiskTier;
const Count = (max: number) => z.number().int().min(1).max(max);
const Approvals = z.number().int().min(1).max(20);

/** Write scope of each worker role: the paths a job of that role may change. */
const RoleName = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, "must be a snake_case role name");
export const Roles = z.record(RoleName, GlobList);

export const Paths = z.strictObject({
  /** Always High: a change to any matching path. */
  protected: GlobList,
  /** Lockfiles: not counted in the size limits; changed without a manifest change outside the dependency role, High. */
  lockfiles: GlobList,
});

export const LowTier = z.strictObject({
  max_files: Count(100_000),
  max_lines: Count(10_000_000),
  /** Merge a Low PR once its checks pass and review approves, with no person involved. */
  auto_merge: z.boolean(),
});

export const MediumTier = z.strictObject({
  max_files: Count(100_000),
  max_lines: Count(10_000_000),
  /** People who must approve the exact head SHA. */
  required_approvals: Approvals,
});

export const HighTier = z.strictObject({
  /** An approved RFC (`docs/rfcs/NNNN-<slug>.md`, merged as its own PR) before any code job starts. */
  require_rfc: z.boolean(),
  required_approvals: Approvals,
});

export const UPDATE_TYPES = ["patch", "minor", "major", "added", "removed", "other"] as const;
export type UpdateType = (typeof UPDATE_TYPES)[number];
export const UpdateTiers = z.strictObject({ patch: Tier, minor: Tier, major: Tier, added: Tier, removed: Tier, other: Tier });

/** An npm package name, or a glob over names (`@scope/*`). */
const PackagePattern = z.string().regex(/^(@[a-z0-9*?._~-]+\/)?[a-z0-9*?._~-]+$/i, "must be a package name or a name glob such as @scope/*");

export const Dependencies = z.strictObject({
  /** The tier of each kind of change to a declared dependency version (caret semantics: 0.x minor is major). */
  tiers: UpdateTiers,
  /** A version released fewer days ago than this is High (when the caller knows the release date). */
  min_release_age_days: z.number().int().min(0).max(3650),
  /** Adding or changing one of these is High. */
  denied_packages: z.array(PackagePattern).max(1024),
});

export const Network = z.strictObject({
  /** Job kinds whose commands may have the network (`sandbox.network`) without the change becoming High. */
  kinds: z.array(KindName).max(16),
});

const PolicyShape = z.strictObject({
  roles: Roles,
  paths: Paths,
  low: LowTier,
  medium: MediumTier,
  high: HighTier,
  dependencies: Dependencies,
  network: Network,
});

export const Policy = PolicyShape.superRefine((p, ctx) => {
  const atLeast = (path: (string | number)[], value: number, floor: number, floorKey: string) => {
    if (value >= floor) return;
    ctx.addIssue({ code: "custom", path, message: `must be at least ${floorKey} (${floor})`, params: { hint: `raise ${path.join(".")} to ${floor} or more, or lower ${floorKey}` } });
  };
  atLeast(["medium", "max_files"], p.medium.max_files, p.low.max_files, "low.max_files");
  atLeast(["medium", "max_lines"], p.medium.max_lines, p.low.max_lines, "low.max_lines");
  atLeast(["high", "required_approvals"], p.high.required_approvals, p.medium.required_approvals, "medium.required_approvals");
});
export type Policy = z.infer<typeof Policy>;

/** What the file may hold: any subset of the keys, each table merged over the defaults key by key. */
export const PolicyFile = z.strictObject({
  roles: Roles.optional(),
  paths: Paths.partial().optional(),
  low: LowTier.partial().optional(),
  medium: MediumTier.partial().optional(),
  high: HighTier.partial().optional(),
  dependencies: Dependencies.extend({ tiers: UpdateTiers.partial() }).partial().optional(),
  network: Network.partial().optional(),
});
export type PolicyFile = z.infer<typeof PolicyFile>;
