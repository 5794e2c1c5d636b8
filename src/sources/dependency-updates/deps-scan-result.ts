import { z } from "zod";
import { StewardSchedule } from "../../config/dependency-steward-settings.ts";
import { RiskTier } from "../../core/risk-tier.ts";
import { UPDATE_TYPES } from "../../policy/policy-schema.ts";

/** The work item type of a planned dependency update (the Dependency Steward's). */
export const DEPENDENCY_UPDATE_TYPE = "dependency_update";

/** At most this many groups per scan (each a PR); past it the scan is incomplete and closes nothing. */
export const MAX_SCAN_GROUPS = 200;
const MAX_LISTED = 5_000;
const Text = (max: number) => z.string().max(max);
/** A path inside the checkout (posix, relative, no `..`, no control character), as a job's scope may name it. */
const RelativePath = (basename: (name: string) => boolean, what: string) =>
  z
    .string()
    .max(1024)
    .refine((p) => !/[\u0000-\u001f\u007f\\]/.test(p) && !p.startsWith("/") && p.split("/").every((s) => s !== "" && s !== "." && s !== "..") && basename(p.split("/").at(-1)!), `must be a relative path to ${what}`);
const ManifestPath = RelativePath((name) => name === "package.json", "a package.json");
const LOCKFILE_NAMES = ["package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "yarn.lock", "bun.lock", "bun.lockb"];
const LockfilePath = RelativePath((name) => LOCKFILE_NAMES.includes(name), "a lockfile");

const DependencyType = z.enum(["prod", "dev", "optional", "peer"]);
const UpdateKind = z.enum(["in-range", "minor", "major"]);

/** One dependency's update inside a group: the manifest it is declared in, its range and version before and after. */
export const PlannedUpdateRecord = z.strictObject({
  name: Text(214),
  alias: Text(214).nullable(),
  type: DependencyType,
  manifestPath: ManifestPath,
  kind: UpdateKind,
  from: Text(256),
  to: Text(256),
  fromRange: Text(256),
  newRange: Text(256),
  updateType: z.enum(UPDATE_TYPES),
  tier: RiskTier,
  ageDays: z.number().int().nullable(),
});
export type PlannedUpdateRecord = z.infer<typeof PlannedUpdateRecord>;

/** A known advisory of a locked version, as a security group names the ones it fixes. */
export const AdvisoryRecord = z.strictObject({
  id: z.union([z.number(), Text(200)]),
  url: Text(500),
  title: Text(500),
  severity: z.enum(["info", "low", "moderate", "high", "critical"]),
  vulnerableVersions: Text(500),
  name: Text(214),
  version: Text(256),
});
export type AdvisoryRecord = z.infer<typeof AdvisoryRecord>;

/** One PR's worth of updates. `security`: the advisories it fixes (a security update outranks routine ones). */
export const UpdateGroupRecord = z.strictObject({
  key: z.string().regex(/^[a-z0-9][a-z0-9@._/-]{0,199}$/),
  title: Text(200),
  tier: RiskTier,
  updates: z.array(PlannedUpdateRecord).min(1).max(2_000),
  security: z.array(AdvisoryRecord).max(200),
});
export type UpdateGroupRecord = z.infer<typeof UpdateGroupRecord>;

/** What the dashboard lists as not proposed, each with its reason (age, policy, a rule, engines...). */
export const PassedOver = z.strictObject({
  name: Text(214),
  manifestPath: Text(1024),
  kind: UpdateKind.nullable(),
  version: Text(256).nullable(),
  reason: Text(500),
});
export type PassedOver = z.infer<typeof PassedOver>;

/** A vulnerable locked version no allowed update fixes (no item: nothing the steward may ship fixes it yet). */
export const Unfixed = z.strictObject({ name: Text(214), version: Text(256), manifestPath: Text(1024), advisories: z.array(AdvisoryRecord).max(50), reason: Text(500) });
export type Unfixed = z.infer<typeof Unfixed>;

/**
 * What a `deps-scan` job returns: the dependencies of `branch` at `commit`, the updates the policy and
 * the steward's settings allow as PR-sized groups, and everything passed over with its reason.
 */
export const DepsScan = z.strictObject({
  branch: Text(255),
  commit: z.string().regex(/^[0-9a-f]{40}$/),
  scannedAt: z.number().int(),
  ecosystem: Text(32),
  lockfile: LockfilePath.nullable(),
  manifests: z.array(Text(1024)).max(MAX_LISTED),
  detected: z.array(z.strictObject({ name: Text(214), type: DependencyType, range: Text(256), locked: Text(256).nullable(), manifestPath: Text(1024) })).max(MAX_LISTED),
  groups: z.array(UpdateGroupRecord).max(MAX_SCAN_GROUPS),
  passedOver: z.array(PassedOver).max(MAX_LISTED),
  unfixed: z.array(Unfixed).max(MAX_LISTED),
  /** The registry hosts asked, and which of them offer no advisories. */
  registries: z.array(Text(300)).max(64),
  advisoriesUnsupported: z.array(Text(300)).max(64),
  notes: z.array(Text(1000)).max(100),
  /** When the steward may open PRs, as committed at the commit: each item waits for it. */
  schedule: StewardSchedule,
  /** false: a bound cut the scan short, so a group missing from it may still be due. */
  complete: z.boolean(),
});
export type DepsScan = z.infer<typeof DepsScan>;

/** The same text exactly when the group would make the same changes (order aside): compare it to tell whether its PR is out of date. */
export function groupSignature(group: Pick<UpdateGroupRecord, "updates">): string {
  const rows = group.updates.map((u) => [u.manifestPath, u.type, u.alias, u.name, u.kind, u.to, u.newRange]);
  return JSON.stringify(rows.sort((a, b) => { const x = JSON.stringify(a), y = JSON.stringify(b); return x < y ? -1 : x > y ? 1 : 0; }));
}
