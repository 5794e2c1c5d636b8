import { describe, expect, test } from "bun:test";
import { DEFAULT_DEPENDENCY_STEWARD, PackageRule, type DependencySteward } from "../config/dependency-steward-settings.ts";
import type { RiskTier } from "../core/risk-tier.ts";
import type { ExtractedDependency } from "./extract.ts";
import { groupSignature, groupUpdates, lockfileMaintenanceGroup, type UpdateGroup } from "./group-updates.ts";
import type { CandidateUpdate, DependencyPlan, UpdateKind } from "./plan-updates.ts";

const TIER: Record<UpdateKind, RiskTier> = { "in-range": "low", minor: "medium", major: "high" };

function candidate(kind: UpdateKind, from: string, to: string, newRange: string): CandidateUpdate {
  return { kind, from, to, newRange, updateType: kind === "in-range" ? "patch" : kind, tier: TIER[kind], ageDays: 30 };
}

/** A plan for `name` at 1.0.0 (^1.0.0) with the given candidates: "in-range" 1.0.5, "minor" 1.4.0, "major" `major`.0.0. */
function plan(name: string, kinds: UpdateKind[], extra: Partial<ExtractedDependency> & { major?: number } = {}): DependencyPlan {
  const { major = 2, ...dependency } = extra;
  const candidates = kinds.map((kind) =>
    kind === "in-range" ? candidate(kind, "1.0.0", "1.0.5", "^1.0.0") : kind === "minor" ? candidate(kind, "1.0.0", "1.4.0", "^1.4.0") : candidate(kind, "1.0.0", `${major}.0.0`, `^${major}.0.0`),
  );
  return { dependency: { name, alias: null, type: "prod", range: "^1.0.0", lockedVersion: "1.0.0", manifestPath: "package.json", ...dependency }, candidates, skipped: [] };
}

const rule = (r: Partial<PackageRule>): PackageRule => PackageRule.parse(r);
const settings = (over: Partial<DependencySteward> = {}): DependencySteward => ({ ...DEFAULT_DEPENDENCY_STEWARD, ...over });

/** "key [tier] title: manifest name kind to, ..." per group. */
function shown(groups: UpdateGroup[]): string[] {
  return groups.map((g) => `${g.key} [${g.tier}] ${g.title}: ${g.updates.map((u) => `${u.manifestPath} ${u.name} ${u.kind} ${u.to}`).join(", ")}`);
}

describe("default grouping", () => {
  test("non-major devDependencies in one group, other non-majors in another, each major on its own; groups sorted by key", () => {
    const { groups, ignored } = groupUpdates(
      [
        plan("react", ["in-range", "minor", "major"], { major: 18 }),
        plan("typescript", ["in-range"], { type: "dev" }),
        plan("eslint", ["minor", "major"], { type: "dev", major: 9 }),
        plan("fsevents", ["in-range"], { type: "optional" }),
        plan("@types/node", ["major"], { type: "dev", major: 22 }),
        plan("quiet", []),
      ],
      settings(),
    );
    expect(shown(groups)).toEqual([
      "dev-non-major [medium] update devDependencies (non-major): package.json eslint minor 1.4.0, package.json typescript in-range 1.0.5",
      "major-eslint-9 [high] update eslint to v9: package.json eslint major 9.0.0",
      "major-react-18 [high] update react to v18: package.json react major 18.0.0",
      "major-types-node-22 [high] update @types/node to v22: package.json @types/node major 22.0.0",
      "prod-non-major [medium] update dependencies (non-major): package.json fsevents in-range 1.0.5, package.json react minor 1.4.0",
    ]);
    expect(ignored).toEqual([]);
  });

  test("the non-major update is the minor candidate, else the in-range one; the group's tier is its highest", () => {
    const { groups } = groupUpdates([plan("a", ["in-range"]), plan("b", ["in-range", "minor"])], settings());
    expect(groups[0]!.updates.map((u) => `${u.name} ${u.kind}`)).toEqual(["a in-range", "b minor"]);
    expect(groups[0]!.tier).toBe("medium");
    expect(groupUpdates([plan("a", ["in-range"])], settings()).groups[0]!.tier).toBe("low");
  });

  test("a package in several workspace manifests with the same major target is one group; another target major is another", () => {
    const { groups } = groupUpdates(
      [
        plan("react", ["major"], { manifestPath: "packages/web/package.json", major: 18 }),
        plan("react", ["major"], { manifestPath: "package.json", major: 18 }),
        plan("react", ["major"], { manifestPath: "packages/old/package.json", major: 17 }),
      ],
      settings(),
    );
    expect(shown(groups)).toEqual([
      "major-react-17 [high] update react to v17: packages/old/package.json react major 17.0.0",
      "major-react-18 [high] update react to v18: package.json react major 18.0.0, packages/web/package.json react major 18.0.0",
    ]);
  });

  test("a PlannedUpdate carries the declaration and the candidate", () => {
    const [group] = groupUpdates([plan("real", ["minor"], { alias: "nick", type: "peer", range: "~1.0.0", manifestPath: "a/package.json" })], settings()).groups;
    expect(group!.key).toBe("prod-non-major");
    expect(group!.updates).toEqual([
      { name: "real", alias: "nick", type: "peer", manifestPath: "a/package.json", kind: "minor", from: "1.0.0", to: "1.4.0", fromRange: "~1.0.0", newRange: "^1.4.0", updateType: "minor", tier: "medium", ageDays: 30 },
    ]);
  });

  test("two packages whose names slug alike keep apart, each key told by a hash of its name", () => {
    const keys = groupUpdates([plan("@a/b", ["major"]), plan("a-b", ["major"]), plan("c", ["major"])], settings()).groups.map((g) => g.key);
    expect(keys).toHaveLength(3);
    expect(keys[0]).toMatch(/^major-a-b-2-[0-9a-f]{8}$/);
    expect(keys[1]).toMatch(/^major-a-b-2-[0-9a-f]{8}$/);
    expect(keys[0]).not.toBe(keys[1]!);
    expect(keys[2]).toBe("major-c-2");
  });
});

describe("package rules", () => {
  test("a rule's group collects what it matches, by name glob, dependency type and update kind", () => {
    const { groups } = groupUpdates(
      [plan("@types/node", ["minor", "major"], { type: "dev" }), plan("@types/react", ["in-range"], { type: "dev" }), plan("@types/prod", ["minor"]), plan("vitest", ["minor"], { type: "dev" })],
      settings({ package_rules: [rule({ packages: ["@types/*"], dep_types: ["dev"], update_types: ["in-range", "minor"], group: "types" })] }),
    );
    expect(shown(groups)).toEqual([
      "dev-non-major [medium] update devDependencies (non-major): package.json vitest minor 1.4.0",
      "major-types-node-2 [high] update @types/node to v2: package.json @types/node major 2.0.0",
      "prod-non-major [medium] update dependencies (non-major): package.json @types/prod minor 1.4.0",
      "rule-types [medium] update types dependencies: package.json @types/node minor 1.4.0, package.json @types/react in-range 1.0.5",
    ]);
  });

  test("later rules override earlier ones key by key: a group survives a later enabled, and null restores the default grouping", () => {
    const rules = [rule({ packages: ["*"], group: "everything" }), rule({ packages: ["b"], enabled: true }), rule({ packages: ["c"], group: null })];
    const { groups } = groupUpdates([plan("a", ["minor"]), plan("b", ["minor"]), plan("c", ["minor"])], settings({ package_rules: rules }));
    expect(shown(groups)).toEqual([
      "prod-non-major [medium] update dependencies (non-major): package.json c minor 1.4.0",
      "rule-everything [medium] update everything dependencies: package.json a minor 1.4.0, package.json b minor 1.4.0",
    ]);
  });

  test("enabled = false leaves an update out, naming the last rule that switched it off; a later rule may switch it back on", () => {
    const rules = [rule({ packages: ["*"], update_types: ["major"], enabled: false }), rule({ packages: ["react"], enabled: true }), rule({ packages: ["left-pad"], enabled: false })];
    const { groups, ignored } = groupUpdates([plan("react", ["major"]), plan("vue", ["minor", "major"]), plan("left-pad", ["in-range", "minor", "major"])], settings({ package_rules: rules }));
    expect(shown(groups)).toEqual(["major-react-2 [high] update react to v2: package.json react major 2.0.0", "prod-non-major [medium] update dependencies (non-major): package.json vue minor 1.4.0"]);
    expect(ignored).toEqual([
      { name: "left-pad", manifestPath: "package.json", kind: "in-range", to: "1.0.5", reason: "package rule 3 disables it" },
      { name: "left-pad", manifestPath: "package.json", kind: "minor", to: "1.4.0", reason: "package rule 3 disables it" },
      { name: "left-pad", manifestPath: "package.json", kind: "major", to: "2.0.0", reason: "package rule 3 disables it" },
      { name: "vue", manifestPath: "package.json", kind: "major", to: "2.0.0", reason: "package rule 1 disables it" },
    ]);
  });

  test("a disabled minor falls back to the in-range update", () => {
    const { groups, ignored } = groupUpdates([plan("a", ["in-range", "minor"])], settings({ package_rules: [rule({ update_types: ["minor"], enabled: false })] }));
    expect(shown(groups)).toEqual(["prod-non-major [low] update dependencies (non-major): package.json a in-range 1.0.5"]);
    expect(ignored.map((i) => `${i.name} ${i.kind}: ${i.reason}`)).toEqual(["a minor: package rule 1 disables it"]);
  });

  test("an alias is matched by its manifest key too", () => {
    const { ignored } = groupUpdates([plan("string-width", ["minor"], { alias: "string-width-cjs" })], settings({ package_rules: [rule({ packages: ["*-cjs"], enabled: false })] }));
    expect(ignored).toHaveLength(1);
  });

  test("a group catching both updates of one declaration keeps the major and lists the other as superseded; other manifests keep theirs", () => {
    const { groups, ignored } = groupUpdates(
      [plan("eslint", ["minor", "major"], { type: "dev", major: 9 }), plan("eslint", ["minor"], { type: "dev", manifestPath: "b/package.json" })],
      settings({ package_rules: [rule({ packages: ["eslint"], group: "lint" })] }),
    );
    expect(shown(groups)).toEqual(["rule-lint [high] update lint dependencies: b/package.json eslint minor 1.4.0, package.json eslint major 9.0.0"]);
    expect(ignored).toEqual([{ name: "eslint", manifestPath: "package.json", kind: "minor", to: "1.4.0", reason: "superseded by its major update to 9.0.0 in the same group (rule-lint)" }]);
  });

  test("without a rule group, one declaration's non-major and major are two PRs", () => {
    const { groups } = groupUpdates([plan("react", ["minor", "major"])], settings());
    expect(groups.map((g) => g.key)).toEqual(["major-react-2", "prod-non-major"]);
  });
});

describe("lockfile maintenance", () => {
  const plans = [plan("a", ["in-range", "minor"]), plan("b", ["in-range"], { type: "dev" }), plan("c", ["in-range", "major"], { manifestPath: "w/package.json" })];

  test("lockfileMaintenanceGroup gathers every in-range candidate, whatever the rules; null when there is none", () => {
    expect(shown([lockfileMaintenanceGroup(plans)!])).toEqual(["lockfile-maintenance [low] refresh the lockfile: package.json a in-range 1.0.5, package.json b in-range 1.0.5, w/package.json c in-range 1.0.5"]);
    expect(lockfileMaintenanceGroup([plan("a", ["minor", "major"])])).toBeNull();
  });

  test("on: the in-range updates go to the lockfile group only, and the non-major groups take minor candidates alone", () => {
    const { groups } = groupUpdates(plans, settings({ lockfile_maintenance: true }));
    expect(shown(groups)).toEqual([
      "lockfile-maintenance [low] refresh the lockfile: package.json a in-range 1.0.5, package.json b in-range 1.0.5, w/package.json c in-range 1.0.5",
      "major-c-2 [high] update c to v2: w/package.json c major 2.0.0",
      "prod-non-major [medium] update dependencies (non-major): package.json a minor 1.4.0",
    ]);
  });

  test("on: a rule's enabled = false keeps a package out of the refresh; its group does not move an in-range update", () => {
    const rules = [rule({ packages: ["*"], group: "all" }), rule({ packages: ["b"], enabled: false })];
    const { groups, ignored } = groupUpdates(plans, settings({ lockfile_maintenance: true, package_rules: rules }));
    expect(shown(groups)).toEqual([
      "lockfile-maintenance [low] refresh the lockfile: package.json a in-range 1.0.5, w/package.json c in-range 1.0.5",
      "rule-all [high] update all dependencies: package.json a minor 1.4.0, w/package.json c major 2.0.0",
    ]);
    expect(ignored.map((i) => `${i.name} ${i.kind}: ${i.reason}`)).toEqual(["b in-range: package rule 2 disables it"]);
  });

  test("off: no lockfile group", () => {
    expect(groupUpdates(plans, settings()).groups.map((g) => g.key)).toEqual(["dev-non-major", "major-c-2", "prod-non-major"]);
  });
});

describe("groupSignature", () => {
  test("the same for the same changes in any order, different when a target, a kind or a range changes", () => {
    const one = groupUpdates([plan("a", ["minor"]), plan("b", ["minor"])], settings()).groups[0]!;
    const swapped = groupUpdates([plan("b", ["minor"]), plan("a", ["minor"])], settings()).groups[0]!;
    expect(groupSignature(one)).toBe(groupSignature(swapped));
    expect(groupSignature({ ...one, updates: [...one.updates].reverse() })).toBe(groupSignature(one));
    const retarget = { ...one, updates: one.updates.map((u, i) => (i === 0 ? { ...u, to: "1.5.0" } : u)) };
    expect(groupSignature(retarget)).not.toBe(groupSignature(one));
    const inRange = groupUpdates([plan("a", ["in-range"]), plan("b", ["minor"])], settings()).groups[0]!;
    expect(groupSignature(inRange)).not.toBe(groupSignature(one));
    const ranged = { ...one, updates: one.updates.map((u, i) => (i === 0 ? { ...u, newRange: "~1.4.0" } : u)) };
    expect(groupSignature(ranged)).not.toBe(groupSignature(one));
    const retitled: UpdateGroup = { ...one, title: "another title", tier: "high" };
    expect(groupSignature(retitled)).toBe(groupSignature(one));
  });
});
