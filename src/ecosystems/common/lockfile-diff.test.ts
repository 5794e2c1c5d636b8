import { describe, expect, test } from "bun:test";
import { describeRedirect, diffLockedPackages, registryOrigins, type LockfileRedirect } from "./lockfile-diff.ts";
import type { LockedPackage } from "./lockfile.ts";

const NPMJS = (name: string, version: string) => `https://registry.npmjs.org/${name}/-/${name.split("/").at(-1)}-${version}.tgz`;
const locked = (name: string, version: string | null, resolved: string | null, integrity: string | null = `sha512-${name}${version}`, key = `node_modules/${name}`): LockedPackage => ({ key, name, version, resolved, integrity });
const diff = (before: LockedPackage[] | null, after: LockedPackage[], lockfileDir = "") => diffLockedPackages(before, after, { lockfileDir });
const summary = (rs: LockfileRedirect[]) => rs.map((r) => [r.key, r.reason, r.changes.map((c) => c.field).join("+")]);

const lodash = locked("lodash", "4.17.21", NPMJS("lodash", "4.17.21"));

describe("at the same version", () => {
  test("any other resolved URL, host, protocol or integrity is a redirection; credentials never show", () => {
    const cases: [string, LockedPackage, string][] = [
      ["host", { ...lodash, resolved: lodash.resolved!.replace("registry.npmjs.org", "mirror.evil.example") }, "resolved"],
      ["protocol", { ...lodash, resolved: lodash.resolved!.replace("https:", "http:") }, "resolved"],
      ["another package's tarball on the registry", { ...lodash, resolved: NPMJS("evil", "1.0.0") }, "resolved"],
      ["integrity", { ...lodash, integrity: "sha512-other" }, "integrity"],
      ["integrity dropped", { ...lodash, integrity: null }, "integrity"],
      ["both", { ...lodash, resolved: "git+ssh://git@github.com/evil/lodash.git#abc", integrity: null }, "resolved+integrity"],
      ["the package at that path", { ...lodash, name: "evil" }, "name"],
    ];
    for (const [what, after, fields] of cases) expect([what, summary(diff([lodash], [after]))]).toEqual([what, [["node_modules/lodash", "same_version", fields]]]);
    const secret = diff([lodash], [{ ...lodash, resolved: "https://user:s3cret@evil.example/lodash.tgz" }]);
    expect(secret[0]?.changes[0]).toEqual({ field: "resolved", old: lodash.resolved, new: "https://evil.example/lodash.tgz" });
    expect(JSON.stringify(diff([lodash], [{ ...lodash, resolved: "https://tok3n@evil.example/l.tgz" }]))).not.toContain("tok3n");
  });

  test("the registry written as null or as its tarball URL is the same; a hash recorded where there was none only adds a check", () => {
    expect(diff([{ ...lodash, resolved: null }], [lodash])).toEqual([]);
    expect(diff([lodash], [{ ...lodash, resolved: null }])).toEqual([]);
    expect(diff([{ ...lodash, integrity: null }], [lodash])).toEqual([]);
    expect(summary(diff([{ ...lodash, resolved: null }], [{ ...lodash, resolved: "https://mirror.evil.example/lodash/-/lodash-4.17.21.tgz" }]))).toEqual([["node_modules/lodash", "same_version", "resolved"]]);
  });

  test("a git or remote tarball source that moves is a redirection even without a version (Bun records none)", () => {
    const git = locked("g", null, "git+https://github.com/u/g.git#aaa", "aaa");
    expect(summary(diff([git], [{ ...git, resolved: "git+https://github.com/u/g.git#bbb", integrity: "bbb" }]))).toEqual([["node_modules/g", "same_version", "resolved+integrity"]]);
  });
});

describe("with a version change", () => {
  test("an update on the registry is no redirection, on a private registry the base uses either", () => {
    expect(diff([lodash], [locked("lodash", "4.17.22", NPMJS("lodash", "4.17.22"))])).toEqual([]);
    const privateUrl = (v: string) => `https://npm.corp.example/artifactory/api/npm/npm/lodash/-/lodash-${v}.tgz`;
    expect(diff([locked("lodash", "4.17.21", privateUrl("4.17.21"))], [locked("lodash", "4.17.22", privateUrl("4.17.22"))])).toEqual([]);
    expect(registryOrigins([locked("lodash", "1.0.0", privateUrl("1.0.0"))]).has("https://npm.corp.example")).toBe(true);
  });

  test("moving to a source the registry does not vouch for is a redirection", () => {
    const to = (resolved: string) => summary(diff([lodash], [locked("lodash", "4.17.22", resolved)]));
    expect(to("https://evil.example/lodash-4.17.22.tgz")).toEqual([["node_modules/lodash", "new_source", "resolved"]]);
    expect(to("git+https://github.com/evil/lodash.git#abc")).toEqual([["node_modules/lodash", "new_source", "resolved"]]);
    expect(to(NPMJS("lodash-evil", "4.17.22"))).toEqual([["node_modules/lodash", "new_source", "resolved"]]);
    expect(to("file:/tmp/lodash")).toEqual([["node_modules/lodash", "new_source", "resolved"]]);
    expect(to("file:vendor/lodash")).toEqual([]);
  });

  test("a version moving along the same git host or tarball host is an ordinary update of that source", () => {
    const git = (v: string, sha: string) => locked("g", v, `git+https://github.com/u/g.git#${sha}`, null);
    expect(diff([git("1.0.0", "aaa")], [git("1.1.0", "bbb")])).toEqual([]);
    expect(summary(diff([git("1.0.0", "aaa")], [locked("g", "1.1.0", "git+https://git.evil.example/g.git#bbb", null)]))).toEqual([["node_modules/g", "new_source", "resolved"]]);
  });
});

describe("added packages", () => {
  test("from the registry, a workspace or a path inside the repository: nothing to flag", () => {
    const added = [locked("a", "1.0.0", NPMJS("a", "1.0.0")), locked("w", null, "workspace:packages/w"), locked("v", null, "link:vendor/v"), locked("b", "1.0.0", null)];
    expect(diff([lodash], [lodash, ...added])).toEqual([]);
    expect(diff([], [locked("s", null, "file:../shared/s")], "web")).toEqual([]);
  });

  test("from git, a tarball URL, exec, or a path outside the repository: flagged, in key order", () => {
    const added = [
      locked("z", null, "exec:./build.js"),
      locked("t", "1.0.0", "https://evil.example/t.tgz"),
      locked("g", "1.0.0", "github:evil/g#abc"),
      locked("o", null, "link:../../outside/o"),
      locked("p", null, "file:/etc/p"),
    ];
    expect(summary(diff([lodash], [lodash, ...added], "web"))).toEqual(["g", "o", "p", "t", "z"].map((n) => [`node_modules/${n}`, "added", "resolved"]));
    expect(summary(diff(null, [locked("s", null, "file:../s")]))).toEqual([["node_modules/s", "added", "resolved"]]);
  });

  test("removed packages redirect nothing", () => {
    expect(diff([lodash, locked("g", null, "git+https://x/g.git#a")], [])).toEqual([]);
  });
});

test("descriptions name the package, the version and both sources", () => {
  const [same] = diff([lodash], [{ ...lodash, resolved: "https://evil.example/lodash.tgz" }]);
  expect(describeRedirect(same!)).toBe(`lodash@4.17.21: resolved ${lodash.resolved} -> https://evil.example/lodash.tgz, with no version change`);
  const [moved] = diff([lodash], [locked("lodash", "4.17.22", "git+https://github.com/evil/l.git#a")]);
  expect(describeRedirect(moved!)).toBe(`lodash@4.17.22 (was 4.17.21) moved to another source: resolved ${lodash.resolved} -> git+https://github.com/evil/l.git#a`);
  const [added] = diff([], [locked("t", null, "https://evil.example/t.tgz")]);
  expect(describeRedirect(added!)).toBe("t added from https://evil.example/t.tgz");
});
