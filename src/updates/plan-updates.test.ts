import { describe, expect, test } from "bun:test";
import { DEFAULT_POLICY } from "../policy/policy-defaults.ts";
import type { Policy } from "../policy/policy-schema.ts";
import type { Packument } from "../registry/packument.ts";
import type { ExtractedDependency } from "./extract.ts";
import { MAX_SKIPPED_PER_KIND, planUpdates, type DependencyPlan, type PlanInput } from "./plan-updates.ts";

const NOW = new Date("2026-06-01T12:00:00.000Z");
const DAY = 86_400_000;
const ago = (days: number) => new Date(NOW.getTime() - days * DAY).toISOString();

interface V {
  /** Days before NOW it was published (default 30); null: no publish time. */
  days?: number | null;
  deprecated?: string;
  node?: string;
}

function doc(name: string, versions: Record<string, V>, latest?: string): Packument {
  const time: Record<string, string> = {};
  const docs: Packument["versions"] = {};
  for (const [version, v] of Object.entries(versions)) {
    docs[version] = { version, deprecated: v.deprecated, engines: v.node === undefined ? undefined : { node: v.node }, repository: undefined };
    if (v.days !== null) time[version] = ago(v.days ?? 30);
  }
  const stable = Object.keys(versions).filter((v) => !v.includes("-"));
  return { name, "dist-tags": { latest: latest ?? stable.at(-1) ?? "0.0.0" }, versions: docs, time, repository: undefined };
}

function dep(name: string, range: string, lockedVersion: string | null, extra: Partial<ExtractedDependency> = {}): ExtractedDependency {
  return { name, alias: null, type: "prod", range, lockedVersion, manifestPath: "package.json", ...extra };
}

const policy = (dependencies: Partial<Policy["dependencies"]> = {}): Pick<Policy, "dependencies"> => ({ dependencies: { ...DEFAULT_POLICY.dependencies, ...dependencies } });

function plan(d: ExtractedDependency, packument: Packument | null, extra: Partial<PlanInput> = {}): DependencyPlan {
  const [only] = planUpdates({ dependencies: [d], packuments: new Map(packument ? [[d.name, packument]] : []), policy: policy(), now: NOW, engineNode: ">=20", ...extra });
  return only!;
}

/** "kind from->to newRange type/tier age" per candidate, "kind version: reason" per skip. */
function summary(p: DependencyPlan): { candidates: string[]; skipped: string[] } {
  return {
    candidates: p.candidates.map((c) => `${c.kind} ${c.from}->${c.to} ${c.newRange} ${c.updateType}/${c.tier} ${c.ageDays}d`),
    skipped: p.skipped.map((s) => `${s.kind ?? "all"} ${s.version ?? "-"}: ${s.reason}`),
  };
}

const LIB = doc("lib", { "1.2.3": { days: 100 }, "1.2.5": { days: 60 }, "1.4.0": { days: 40 }, "2.0.0": { days: 20 }, "2.1.0": { days: 10 } });

describe("the three candidates and the range operator", () => {
  test("caret: the newest in range (lockfile only), the newest minor, the newest major", () => {
    expect(summary(plan(dep("lib", "^1.2.3", "1.2.3"), LIB))).toEqual({
      candidates: ["in-range 1.2.3->1.4.0 ^1.2.3 minor/medium 40d", "minor 1.2.3->1.4.0 ^1.4.0 minor/medium 40d", "major 1.2.3->2.1.0 ^2.1.0 major/high 10d"],
      skipped: [],
    });
  });

  test("an exact pin stays exact and has no in-range update", () => {
    expect(summary(plan(dep("lib", "1.2.3", "1.2.3"), LIB)).candidates).toEqual(["minor 1.2.3->1.4.0 1.4.0 minor/medium 40d", "major 1.2.3->2.1.0 2.1.0 major/high 10d"]);
    expect(summary(plan(dep("lib", "=1.2.3", "1.2.3"), LIB)).candidates).toEqual(["minor 1.2.3->1.4.0 =1.4.0 minor/medium 40d", "major 1.2.3->2.1.0 =2.1.0 major/high 10d"]);
  });

  test("tilde: a patch in range, the minor and major keep the tilde", () => {
    expect(summary(plan(dep("lib", "~1.2.3", "1.2.3"), LIB)).candidates).toEqual([
      "in-range 1.2.3->1.2.5 ~1.2.3 patch/low 60d",
      "minor 1.2.3->1.4.0 ~1.4.0 minor/medium 40d",
      "major 1.2.3->2.1.0 ~2.1.0 major/high 10d",
    ]);
  });

  test("partial and wildcard ranges keep their precision; one the range already allows is the in-range update", () => {
    expect(summary(plan(dep("lib", "~1.2", "1.2.3"), LIB)).candidates).toEqual(["in-range 1.2.3->1.2.5 ~1.2 patch/low 60d", "minor 1.2.3->1.4.0 ~1.4 minor/medium 40d", "major 1.2.3->2.1.0 ~2.1 major/high 10d"]);
    expect(summary(plan(dep("lib", "1.x", "1.2.3"), LIB))).toEqual({
      candidates: ["in-range 1.2.3->1.4.0 1.x minor/medium 40d", "major 1.2.3->2.1.0 2.x major/high 10d"],
      skipped: ["minor 1.4.0: 1.x already allows it (the in-range update)"],
    });
  });

  test("a range of several parts gets its in-range update; its rewriting is left for a person", () => {
    expect(summary(plan(dep("lib", "^1.2.3 || ^3.0.0", "1.2.3"), LIB))).toEqual({
      candidates: ["in-range 1.2.3->1.4.0 ^1.2.3 || ^3.0.0 minor/medium 40d"],
      skipped: [
        "minor 1.4.0: the range ^1.2.3 || ^3.0.0 is not one version with an operator (^, ~, >=, =, x): left for a person to rewrite",
        "major 2.1.0: the range ^1.2.3 || ^3.0.0 is not one version with an operator (^, ~, >=, =, x): left for a person to rewrite",
      ],
    });
  });

  test("up to date: nothing to offer, nothing to explain", () => {
    expect(summary(plan(dep("lib", "^2.1.0", "2.1.0"), LIB))).toEqual({ candidates: [], skipped: [] });
  });

  test("without a lockfile's version: no in-range update, minor and major from the range's lowest version", () => {
    expect(summary(plan(dep("lib", "^1.2.3", null), LIB))).toEqual({
      candidates: ["minor 1.2.3->1.4.0 ^1.4.0 minor/medium 40d", "major 1.2.3->2.1.0 ^2.1.0 major/high 10d"],
      skipped: ["in-range -: no locked version to update"],
    });
    expect(summary(plan(dep("lib", "^2.0.0", "1.2.3"), LIB))).toEqual({
      candidates: ["minor 2.0.0->2.1.0 ^2.1.0 minor/medium 10d"],
      skipped: ["in-range -: the locked 1.2.3 is outside ^2.0.0 (the lockfile is out of date)"],
    });
  });
});

describe("tiers: the policy's [dependencies.tiers], with 0.x caret semantics", () => {
  const ZERO = doc("zero", { "0.0.3": {}, "0.0.4": {}, "0.2.3": {}, "0.2.5": {}, "0.3.1": {}, "1.0.0": {} });

  test("below 1.0 a minor bump is major; a patch bump in range stays a patch", () => {
    expect(summary(plan(dep("zero", "^0.2.3", "0.2.3"), ZERO)).candidates).toEqual([
      "in-range 0.2.3->0.2.5 ^0.2.3 patch/low 30d",
      "minor 0.2.3->0.3.1 ^0.3.1 major/high 30d",
      "major 0.2.3->1.0.0 ^1.0.0 major/high 30d",
    ]);
  });

  test("below 0.1 a patch bump is major (in range too), and ^0.0.3 allows nothing newer", () => {
    expect(summary(plan(dep("zero", "^0.0.3", "0.0.3"), ZERO)).candidates).toEqual(["minor 0.0.3->0.3.1 ^0.3.1 major/high 30d", "major 0.0.3->1.0.0 ^1.0.0 major/high 30d"]);
    expect(summary(plan(dep("zero", "~0.0.3", "0.0.3"), doc("zero", { "0.0.3": {}, "0.0.4": {} }))).candidates).toEqual(["in-range 0.0.3->0.0.4 ~0.0.3 major/high 30d", "minor 0.0.3->0.0.4 ~0.0.4 major/high 30d"]);
  });

  test("each tier is the policy's own", () => {
    const custom = policy({ tiers: { patch: "medium", minor: "low", major: "medium", added: "high", removed: "high", other: "high" } });
    expect(summary(plan(dep("lib", "~1.2.3", "1.2.3"), LIB, { policy: custom })).candidates).toEqual([
      "in-range 1.2.3->1.2.5 ~1.2.3 patch/medium 60d",
      "minor 1.2.3->1.4.0 ~1.4.0 minor/low 40d",
      "major 1.2.3->2.1.0 ~2.1.0 major/medium 10d",
    ]);
  });
});

describe("prereleases only from a prerelease", () => {
  const PRE = doc("pre", { "1.2.3": {}, "1.3.0-beta.1": {}, "2.0.0-beta.1": {}, "2.0.0-beta.3": {}, "2.1.0-rc.1": {} }, "1.2.3");

  test("a stable dependency is never offered one, nor told about it", () => {
    expect(summary(plan(dep("pre", "^1.2.3", "1.2.3"), PRE))).toEqual({ candidates: [], skipped: [] });
  });

  test("a dependency on a prerelease gets later prereleases of that version, not of another", () => {
    expect(summary(plan(dep("pre", "^2.0.0-beta.1", "2.0.0-beta.1"), PRE))).toEqual({
      candidates: ["in-range 2.0.0-beta.1->2.0.0-beta.3 ^2.0.0-beta.1 other/high 30d", "minor 2.0.0-beta.1->2.0.0-beta.3 ^2.0.0-beta.3 other/high 30d"],
      skipped: [],
    });
  });

  test("and the release itself once it is out", () => {
    const released = doc("pre", { "2.0.0-beta.1": {}, "2.0.0-beta.3": {}, "2.0.0": {}, "2.1.0-rc.1": {} });
    expect(summary(plan(dep("pre", "^2.0.0-beta.1", "2.0.0-beta.1"), released)).candidates).toEqual([
      "in-range 2.0.0-beta.1->2.0.0 ^2.0.0-beta.1 other/high 30d",
      "minor 2.0.0-beta.1->2.0.0 ^2.0.0 other/high 30d",
    ]);
  });
});

describe("versions passed over", () => {
  test("deprecated versions are skipped, each kind says so, and the next one is offered", () => {
    const d = doc("lib", { "1.2.3": {}, "1.3.0": {}, "1.4.0": { deprecated: "broken, use 1.3" }, "2.0.0": { deprecated: "oops" } });
    expect(summary(plan(dep("lib", "^1.2.3", "1.2.3"), d))).toEqual({
      candidates: ["in-range 1.2.3->1.3.0 ^1.2.3 minor/medium 30d", "minor 1.2.3->1.3.0 ^1.3.0 minor/medium 30d"],
      skipped: ["in-range 1.4.0: deprecated", "minor 1.4.0: deprecated", "major 2.0.0: deprecated"],
    });
  });

  test("min_release_age_days: too new below it, allowed at it exactly", () => {
    const d = doc("lib", { "1.2.3": {}, "1.3.0": { days: 3 }, "1.4.0": { days: 2.9 }, "1.5.0": { days: 0.2 } });
    expect(summary(plan(dep("lib", "^1.2.3", "1.2.3"), d))).toEqual({
      candidates: ["in-range 1.2.3->1.3.0 ^1.2.3 minor/medium 3d", "minor 1.2.3->1.3.0 ^1.3.0 minor/medium 3d"],
      skipped: ["in-range 1.5.0: too new: 0 days < 3", "in-range 1.4.0: too new: 2 days < 3", "minor 1.5.0: too new: 0 days < 3", "minor 1.4.0: too new: 2 days < 3"],
    });
    expect(summary(plan(dep("lib", "^1.2.3", "1.2.3"), d, { policy: policy({ min_release_age_days: 7 }) }))).toEqual({
      candidates: [],
      skipped: [
        "in-range 1.5.0: too new: 0 days < 7",
        "in-range 1.4.0: too new: 2 days < 7",
        "in-range 1.3.0: too new: 3 days < 7",
        "minor 1.5.0: too new: 0 days < 7",
        "minor 1.4.0: too new: 2 days < 7",
        "minor 1.3.0: too new: 3 days < 7",
      ],
    });
  });

  test("a version with no publish time, or one that is no date, is too new (fail closed); with no minimum age it may go", () => {
    const d = doc("lib", { "1.2.3": {}, "1.3.0": { days: null }, "1.4.0": {} });
    d.time!["1.4.0"] = "not a date";
    expect(summary(plan(dep("lib", "~1.2.3", "1.2.3"), d)).skipped).toEqual(["minor 1.4.0: no publish time", "minor 1.3.0: no publish time"]);
    expect(summary(plan(dep("lib", "~1.2.3", "1.2.3"), d, { policy: policy({ min_release_age_days: 0 }) })).candidates).toEqual(["minor 1.2.3->1.4.0 ~1.4.0 minor/medium nulld"]);
  });

  test("engines.node of the candidate must allow every Node.js the repository's does", () => {
    const d = doc("lib", { "1.2.3": {}, "1.3.0": { node: ">=18" }, "1.4.0": { node: ">=20.0.0 <23" }, "2.0.0": { node: ">=22" }, "2.1.0": { node: "banana" } });
    expect(summary(plan(dep("lib", "^1.2.3", "1.2.3"), d, { engineNode: ">=20" }))).toEqual({
      candidates: ["in-range 1.2.3->1.3.0 ^1.2.3 minor/medium 30d", "minor 1.2.3->1.3.0 ^1.3.0 minor/medium 30d"],
      skipped: [
        "in-range 1.4.0: engines.node >=20.0.0 <23 does not allow the repository's >=20",
        "minor 1.4.0: engines.node >=20.0.0 <23 does not allow the repository's >=20",
        'major 2.1.0: engines.node "banana" is not a version range',
        "major 2.0.0: engines.node >=22 does not allow the repository's >=20",
      ],
    });
    // A repository on 22 and 24 only is served by all of them but the unreadable one.
    expect(summary(plan(dep("lib", "^1.2.3", "1.2.3"), d, { engineNode: "^22 || ^24" })).candidates.map((c) => c.split(" ")[1])).toEqual(["1.2.3->1.3.0", "1.2.3->1.3.0", "1.2.3->2.0.0"]);
    // A repository that declares no Node.js range is not checked.
    expect(summary(plan(dep("lib", "^1.2.3", "1.2.3"), d, { engineNode: null })).candidates.map((c) => c.split(" ")[1])).toEqual(["1.2.3->1.4.0", "1.2.3->1.4.0", "1.2.3->2.1.0"]);
  });

  test("a version above the latest dist-tag (published under another tag) is not offered", () => {
    const d = doc("lib", { "1.2.3": {}, "1.4.0": {}, "1.5.0": {} }, "1.4.0");
    expect(summary(plan(dep("lib", "^1.2.3", "1.2.3"), d))).toEqual({
      candidates: ["in-range 1.2.3->1.4.0 ^1.2.3 minor/medium 30d", "minor 1.2.3->1.4.0 ^1.4.0 minor/medium 30d"],
      skipped: ["in-range 1.5.0: newer than the latest dist-tag (1.4.0)", "minor 1.5.0: newer than the latest dist-tag (1.4.0)"],
    });
  });

  test(`at most ${MAX_SKIPPED_PER_KIND} passed-over versions are listed per kind, then how many more`, () => {
    const versions: Record<string, V> = { "1.0.0": {} };
    for (let i = 1; i <= 15; i++) versions[`1.${i}.0`] = { deprecated: "no" };
    const p = summary(plan(dep("lib", "~1.0.0", "1.0.0"), doc("lib", versions)));
    expect(p.candidates).toEqual([]);
    expect(p.skipped).toHaveLength(MAX_SKIPPED_PER_KIND + 1);
    expect(p.skipped[0]).toBe("minor 1.15.0: deprecated");
    expect(p.skipped.at(-1)).toBe("minor -: and 5 older versions passed over");
  });

  test("keys that are no version are ignored", () => {
    const d = doc("lib", { "1.2.3": {}, "1.3.0": {} });
    d.versions["latest"] = { version: "latest", deprecated: undefined, engines: undefined, repository: undefined };
    d.versions["v1.9.0"] = { version: "v1.9.0", deprecated: undefined, engines: undefined, repository: undefined };
    expect(summary(plan(dep("lib", "~1.2.3", "1.2.3"), d)).candidates).toEqual(["minor 1.2.3->1.3.0 ~1.3.0 minor/medium 30d"]);
  });
});

describe("dependencies refused or left alone", () => {
  test("denied packages are refused whole, by name or glob, an alias's target included", () => {
    const denied = policy({ denied_packages: ["lib", "@evil/*"] });
    expect(summary(plan(dep("lib", "^1.2.3", "1.2.3"), LIB, { policy: denied }))).toEqual({ candidates: [], skipped: ["all -: denied by policy (dependencies.denied_packages)"] });
    expect(summary(plan(dep("@evil/x", "^1.2.3", "1.2.3"), { ...LIB, name: "@evil/x" }, { policy: denied })).skipped).toEqual(["all -: denied by policy (dependencies.denied_packages)"]);
    expect(summary(plan(dep("lib", "^1.2.3", "1.2.3", { alias: "friendly" }), LIB, { policy: denied })).skipped).toEqual(["all -: denied by policy (dependencies.denied_packages)"]);
    expect(summary(plan(dep("lib", "^1.2.3", "1.2.3"), LIB, { policy: policy({ denied_packages: ["@evil/*"] }) })).candidates).toHaveLength(3);
  });

  test("peer dependencies are left alone unless configured", () => {
    const peer = dep("lib", "^1.2.3", "1.2.3", { type: "peer" });
    expect(summary(plan(peer, LIB))).toEqual({ candidates: [], skipped: ["all -: a peer dependency: left alone unless peer updates are configured"] });
    expect(summary(plan(peer, LIB, { peers: true })).candidates).toHaveLength(3);
    for (const type of ["dev", "optional"] as const) expect(summary(plan(dep("lib", "^1.2.3", "1.2.3", { type }), LIB)).candidates).toHaveLength(3);
  });

  test("no registry document, a range that is not semver", () => {
    expect(summary(plan(dep("lib", "^1.2.3", "1.2.3"), null)).skipped).toEqual(["all -: no registry document for it"]);
    expect(summary(plan(dep("lib", "latest", null), LIB)).skipped).toEqual(['all -: "latest" is not a semver range']);
  });
});

test("pure: the same input gives the same plan and is not changed", () => {
  const deepFreeze = <T>(value: T): T => {
    if (value !== null && typeof value === "object") {
      for (const inner of Object.values(value)) deepFreeze(inner);
      Object.freeze(value);
    }
    return value;
  };
  const dependencies = deepFreeze([dep("lib", "^1.2.3", "1.2.3"), dep("lib", "~1.2.3", "1.2.3", { manifestPath: "packages/a/package.json" }), dep("zero", "^0.2.0", "0.2.0")]);
  const packuments = new Map([["lib", deepFreeze(structuredClone(LIB))]]);
  const input: PlanInput = { dependencies, packuments, policy: deepFreeze(policy()), now: NOW, engineNode: ">=20" };
  const first = planUpdates(input);
  expect(planUpdates(input)).toEqual(first);
  expect(first.map((p) => [p.dependency.manifestPath, p.candidates.length, p.skipped.map((s) => s.reason)])).toEqual([
    ["package.json", 3, []],
    ["packages/a/package.json", 3, []],
    ["package.json", 0, ["no registry document for it"]],
  ]);
});
