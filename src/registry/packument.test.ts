import { describe, expect, test } from "bun:test";
import { isPackageName, MAX_VERSIONS, Packument } from "./packument.ts";

describe("Packument", () => {
  test("keeps only the fields used; unknown ones are stripped", () => {
    const doc = Packument.parse({
      _id: "lib",
      _rev: "3-abc",
      name: "lib",
      readme: "x".repeat(100_000),
      "dist-tags": { latest: "1.1.0" },
      versions: { "1.1.0": { name: "lib", version: "1.1.0", scripts: { postinstall: "evil" }, engines: { node: ">=20", npm: ">=9" }, repository: { type: "git", url: "git+https://example.test/lib.git" }, dist: { tarball: "x" } } },
      time: { created: "2024-01-01T00:00:00.000Z", "1.1.0": "2024-01-02T00:00:00.000Z" },
      repository: "github:org/lib",
    });
    expect(doc).toEqual({
      name: "lib",
      "dist-tags": { latest: "1.1.0" },
      versions: { "1.1.0": { version: "1.1.0", deprecated: undefined, engines: { node: ">=20" }, repository: { type: "git", url: "git+https://example.test/lib.git" }, dist: { tarball: "x" } } },
      time: { created: "2024-01-01T00:00:00.000Z", "1.1.0": "2024-01-02T00:00:00.000Z" },
      repository: "github:org/lib",
    });
  });

  test("a version's odd field is dropped, not the package; a version entry that is none is dropped", () => {
    const doc = Packument.parse({
      name: "old",
      versions: {
        "0.1.0": { version: "0.1.0", engines: ["node >= 0.4"], deprecated: true },
        "0.2.0": { version: "0.2.0", deprecated: "" },
        "0.3.0": { version: "0.3.0", deprecated: 42, repository: 7 },
        "0.4.0": "not an object",
        "0.5.0": { version: "0.6.0" },
      },
      time: "garbage",
    });
    expect(Object.keys(doc.versions)).toEqual(["0.1.0", "0.2.0", "0.3.0"]);
    expect(doc.versions["0.1.0"]).toEqual({ version: "0.1.0", deprecated: "deprecated", engines: undefined, repository: undefined });
    expect(doc.versions["0.2.0"]!.deprecated).toBeUndefined();
    expect(doc.versions["0.3.0"]).toEqual({ version: "0.3.0", deprecated: undefined, engines: undefined, repository: undefined });
    expect(doc.time).toBeUndefined();
  });

  test("bounded: a missing name, an endless name, too many versions are no packument", () => {
    expect(Packument.safeParse({ versions: {} }).success).toBe(false);
    expect(Packument.safeParse({ name: "x".repeat(215), versions: {} }).success).toBe(false);
    expect(Packument.safeParse({ name: "lib", versions: [] }).success).toBe(false);
    const many = Object.fromEntries(Array.from({ length: MAX_VERSIONS + 1 }, (_, i) => [`0.0.${i}`, { version: `0.0.${i}` }]));
    expect(Packument.safeParse({ name: "lib", versions: many }).success).toBe(false);
  });

  test("package names", () => {
    for (const ok of ["lib", "@scope/lib", "lib.js", "left-pad", "UPPER", "~tilde"]) expect(isPackageName(ok)).toBe(true);
    for (const bad of ["", "../x", "@scope/../x", "a/b", "@scope", "a b", "x".repeat(215), "lib\n"]) expect(isPackageName(bad)).toBe(false);
  });
});
