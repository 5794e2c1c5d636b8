import type { ReviewRules } from "./review-types.ts";

/** One matcher for a list of Bun.Glob patterns; an empty list matches nothing. */
export function globMatcher(globs: string[]): (path: string) => boolean {
  const compiled = globs.map((g) => new Bun.Glob(g));
  return (path) => compiled.some((g) => g.match(path));
}

/** Whether `path` lies inside one of the repo-relative folders `dirs` (plain folders, not globs). */
export function isUnder(path: string, dirs: string[]): boolean {
  return dirs.some((dir) => {
    const prefix = dir.replace(/^\.\//, "").replace(/\/+$/, "");
    return prefix === "" || path.startsWith(`${prefix}/`);
  });
}

export function testFileMatcher(rules: ReviewRules): (path: string) => boolean {
  return globMatcher(rules.testGlobs);
}
