import { describe, expect, test } from "bun:test";
import { escapeGlob } from "./classify-scope.ts";
import { expandBraces, globsOverlap, overlapping } from "./glob-overlap.ts";

describe("a glob against one literal path agrees with Bun.Glob", () => {
  const globs = ["**", "*", "src/**", "**/auth/**", "**/*permission*", "**/*permission*/**", "*lock*", "**/*.d.ts", "a/**/b", "a/**b", "{a,b}/*.ts", "[ab].ts", "[!a].ts", "[a-c]x", "a?c", ".github/workflows/**", "**/Dockerfile", "scripts/release*", ".goreleaser.y*ml", "a\\*b"];
  const paths = ["a", "src", "src/x.ts", "src/auth/login.ts", "auth/x", "src/auth", "permissions.ts", "lib/user-permissions/x.ts", "bun.lock", "a/bun.lock", "types/index.d.ts", "a/b", "a/x/b", "a/xb", "a/x/yb", "b/x.ts", "b.ts", "a.ts", "bx", "dx", "abc", "a/c", ".github/workflows/ci.yml", "Dockerfile", "svc/Dockerfile", "scripts/release.sh", ".goreleaser.yaml", "a*b", "axb", ".env"];
  for (const glob of globs) {
    test(glob, () => {
      const got = paths.filter((p) => globsOverlap(glob, escapeGlob(p)));
      const want = paths.filter((p) => new Bun.Glob(glob).match(p));
      expect(got).toEqual(want);
    });
  }
});

describe("two globs overlap when some path matches both", () => {
  const cases: [string, string, boolean][] = [
    ["**", ".pushpals/policy.toml", true],
    ["src/**", "**/auth/**", true],
    ["src/*.ts", "**/*permission*", true],
    ["docs/**/*.md", "**/*.tf", false],
    ["docs/**", ".github/workflows/**", false],
    ["*.md", "**/migrations/**", false],
    ["src/**", "**/migrations/**", true],
    ["*lock*", "**/bun.lock", true],
    ["package.json", "**/auth/**", false],
    ["lib/*.ts", "lib/*.js", false],
    ["{src,lib}/**", "lib/auth/**", true],
    ["[ab]/x", "c/x", false],
    ["[a-c]/x", "[!a]/x", true],
    [".github/**", ".github/workflows/**", true],
    ["src/?", "src/ab", false],
  ];
  for (const [a, b, want] of cases) {
    test(`${a} ~ ${b}: ${want}`, () => {
      expect(globsOverlap(a, b)).toBe(want);
      expect(globsOverlap(b, a)).toBe(want);
    });
  }

  test("overlapping lists the candidates some scope glob reaches", () => {
    expect(overlapping(["docs/**", "src/**"], ["**/auth/**", ".github/workflows/**", "**/*.md"])).toEqual(["**/auth/**", "**/*.md"]);
  });

  test("braces expand, nested too; too many alternatives count as overlapping", () => {
    expect(expandBraces("{a,{b,c}}/x")).toEqual(["a/x", "b/x", "c/x"]);
    const huge = "{a,b,c,d}{a,b,c,d}{a,b,c,d}{a,b,c,d}{a,b,c,d}";
    expect(expandBraces(huge)).toBeNull();
    expect(globsOverlap(huge, "zzz")).toBe(true);
  });
});
