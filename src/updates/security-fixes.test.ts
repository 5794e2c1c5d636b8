import { describe, expect, test } from "bun:test";
import type { RiskTier } from "../core/risk-tier.ts";
import { UpdateGroupRecord, Unfixed, type AdvisoryRecord } from "../sources/dependency-updates/deps-scan-result.ts";
import type { ExtractedDependency } from "./extract.ts";
import type { CandidateUpdate, DependencyPlan, UpdateKind } from "./plan-updates.ts";
import { securityFixes } from "./security-fixes.ts";

type Advisory = Omit<AdvisoryRecord, "name" | "version">;

const TIER: Record<UpdateKind, RiskTier> = { "in-range": "low", minor: "medium", major: "high" };

function candidate(kind: UpdateKind, from: string, to: string, newRange: string): CandidateUpdate {
  return { kind, from, to, newRange, updateType: kind === "in-range" ? "patch" : kind, tier: TIER[kind], ageDays: 12 };
}

/** `name` locked at 1.0.0 under ^1.0.0, with candidates in-range 1.0.5, minor 1.4.0, major 2.0.0 (those of `kinds`). */
function plan(name: string, kinds: UpdateKind[], dependency: Partial<ExtractedDependency> = {}, versions: Partial<Record<UpdateKind, string>> = {}): DependencyPlan {
  const to = { "in-range": "1.0.5", minor: "1.4.0", major: "2.0.0", ...versions };
  const newRange: Record<UpdateKind, string> = { "in-range": "^1.0.0", minor: `^${to.minor}`, major: `^${to.major}` };
  const from = dependency.lockedVersion ?? "1.0.0";
  return {
    dependency: { name, alias: null, type: "prod", range: "^1.0.0", lockedVersion: "1.0.0", manifestPath: "package.json", ...dependency },
    candidates: kinds.map((kind) => candidate(kind, from, to[kind], newRange[kind])),
    skipped: [],
  };
}

function advisory(id: number | string, vulnerableVersions: string, extra: Partial<Advisory> = {}): Advisory {
  return { id, url: `https://github.com/advisories/GHSA-${id}`, title: `advisory ${id}`, severity: "high", vulnerableVersions, ...extra };
}

const advisories = (entries: Record<string, Advisory[]>) => new Map(Object.entries(entries));

/** "key: manifest kind from -> to, ..." per group. */
function shown(groups: UpdateGroupRecord[]): string[] {
  return groups.map((g) => `${g.key}: ${g.updates.map((u) => `${u.manifestPath} ${u.kind} ${u.from} -> ${u.to}`).join(", ")}`);
}

describe("the fix picked", () => {
  test("the in-range update when it leaves the advisory's range", () => {
    const out = securityFixes([plan("lodash", ["in-range", "minor", "major"])], advisories({ lodash: [advisory(1, "<1.0.3")] }));
    expect(shown(out.groups)).toEqual(["security-lodash: package.json in-range 1.0.0 -> 1.0.5"]);
    expect(out.unfixed).toEqual([]);
    // Each group is a valid record of the scan.
    for (const group of out.groups) expect(UpdateGroupRecord.parse(group)).toEqual(group);
  });

  test("the minor update when the in-range one is still vulnerable, the major when the minor is too", () => {
    const minor = securityFixes([plan("lodash", ["in-range", "minor", "major"])], advisories({ lodash: [advisory(1, "<1.2.0")] }));
    expect(shown(minor.groups)).toEqual(["security-lodash: package.json minor 1.0.0 -> 1.4.0"]);
    const major = securityFixes([plan("lodash", ["in-range", "minor", "major"])], advisories({ lodash: [advisory(1, "<2.0.0")] }));
    expect(shown(major.groups)).toEqual(["security-lodash: package.json major 1.0.0 -> 2.0.0"]);
    expect(major.groups[0]!.tier).toBe("high");
  });

  test("a candidate inside any advisory's range is skipped, not only the advisory that names the installed version", () => {
    // 1.0.0 is vulnerable to 1; the in-range 1.0.5 is past it but inside 2: the minor 1.4.0 is the fix.
    const out = securityFixes([plan("lodash", ["in-range", "minor", "major"])], advisories({ lodash: [advisory(1, "<1.0.3"), advisory(2, ">=1.0.4 <1.1.0")] }));
    expect(shown(out.groups)).toEqual(["security-lodash: package.json minor 1.0.0 -> 1.4.0"]);
    // The group lists the advisories it fixes: those of the installed version.
    expect(out.groups[0]!.security.map((a) => a.id)).toEqual([1]);
  });

  test("a prerelease candidate inside a range counts as vulnerable", () => {
    const out = securityFixes(
      [plan("lib", ["in-range", "minor"], { range: "^2.0.0-beta.1", lockedVersion: "2.0.0-beta.1" }, { "in-range": "2.0.0-beta.3", minor: "2.0.0" })],
      advisories({ lib: [advisory("GHSA-x", "<2.0.0")] }),
    );
    expect(shown(out.groups)).toEqual(["security-lib: package.json minor 2.0.0-beta.1 -> 2.0.0"]);
  });
});

describe("groups", () => {
  test("a package in two manifests is one group with both updates, its advisories deduped by id, and `fixed` names each", () => {
    const out = securityFixes(
      [
        plan("minimist", ["in-range", "minor"], { manifestPath: "packages/web/package.json" }),
        plan("minimist", ["in-range", "minor"], { manifestPath: "package.json", type: "dev", lockedVersion: "1.0.1" }),
        plan("untouched", ["in-range"]),
      ],
      advisories({ minimist: [advisory(7, "<1.0.2"), advisory(7, "<1.0.2"), advisory(8, "<=1.0.1", { severity: "critical" })] }),
    );
    expect(out.groups).toHaveLength(1);
    const group = out.groups[0]!;
    expect(group.key).toBe("security-minimist");
    // Sorted by manifest path.
    expect(shown(out.groups)).toEqual(["security-minimist: package.json in-range 1.0.1 -> 1.0.5, packages/web/package.json in-range 1.0.0 -> 1.0.5"]);
    expect(group.updates.map((u) => u.type)).toEqual(["dev", "prod"]);
    expect(group.security.map((a) => a.id)).toEqual([7, 8]);
    expect(group.security.every((a) => a.name === "minimist")).toBe(true);
    expect(group.title).toBe("fix 2 advisories in minimist (1.0.1 -> 1.0.5, 1.0.0 -> 1.0.5)");
    expect(group.tier).toBe("low");
    expect([...out.fixed].sort()).toEqual(["package.json|minimist", "packages/web/package.json|minimist"]);
    expect(UpdateGroupRecord.parse(group)).toEqual(group);
  });

  test("one group per vulnerable package, sorted by name, each advisory recorded with the version it names", () => {
    const out = securityFixes([plan("zod", ["in-range"]), plan("axios", ["minor"])], advisories({ zod: [advisory(1, "1.0.0")], axios: [advisory(2, "<1.1.0")] }));
    expect(out.groups.map((g) => g.key)).toEqual(["security-axios", "security-zod"]);
    expect(out.groups[1]!.title).toBe("fix 1 advisory in zod (1.0.0 -> 1.0.5)");
    expect(out.groups[0]!.security).toEqual([{ ...advisory(2, "<1.1.0"), name: "axios", version: "1.0.0" }]);
  });
});

describe("unfixed", () => {
  test("a vulnerable version with no candidate is listed with why", () => {
    const out = securityFixes([plan("left-pad", [], { manifestPath: "packages/a/package.json" })], advisories({ "left-pad": [advisory(3, "*")] }));
    expect(out.groups).toEqual([]);
    expect(out.fixed.size).toBe(0);
    expect(out.unfixed).toEqual([
      { name: "left-pad", version: "1.0.0", manifestPath: "packages/a/package.json", advisories: [{ ...advisory(3, "*"), name: "left-pad", version: "1.0.0" }], reason: "no update the policy allows (see the passed-over versions)" },
    ]);
    expect(Unfixed.parse(out.unfixed[0])).toEqual(out.unfixed[0]!);
  });

  test("only vulnerable candidates: listed, with why", () => {
    const out = securityFixes([plan("left-pad", ["in-range", "minor", "major"])], advisories({ "left-pad": [advisory(3, "<3.0.0")] }));
    expect(out.groups).toEqual([]);
    expect(out.unfixed.map((u) => `${u.name} ${u.version}: ${u.reason}`)).toEqual(["left-pad 1.0.0: every allowed update is still inside an advisory's range"]);
  });

  test("a package fixed in one manifest and not in another: grouped where it can be, listed where it cannot", () => {
    const out = securityFixes(
      [plan("qs", ["minor"], { manifestPath: "package.json" }), plan("qs", [], { manifestPath: "packages/b/package.json" })],
      advisories({ qs: [advisory(4, "<1.2.0")] }),
    );
    expect(shown(out.groups)).toEqual(["security-qs: package.json minor 1.0.0 -> 1.4.0"]);
    expect([...out.fixed]).toEqual(["package.json|qs"]);
    expect(out.unfixed.map((u) => u.manifestPath)).toEqual(["packages/b/package.json"]);
  });
});

describe("ignored", () => {
  test("an advisory whose range does not include the installed version", () => {
    const out = securityFixes([plan("lodash", ["in-range", "minor"])], advisories({ lodash: [advisory(1, ">=1.0.1 <1.0.3"), advisory(2, "not a range")] }));
    expect(out).toEqual({ groups: [], fixed: new Set(), unfixed: [] });
  });

  test("a dependency without a locked version (or with one that is not a version), and a package with no advisory", () => {
    const out = securityFixes(
      [plan("lodash", ["minor"], { lockedVersion: null }), plan("lodash", ["minor"], { lockedVersion: "github:lodash/lodash", manifestPath: "b/package.json" }), plan("other", ["minor"])],
      advisories({ lodash: [advisory(1, "*")] }),
    );
    expect(out).toEqual({ groups: [], fixed: new Set(), unfixed: [] });
  });
});
