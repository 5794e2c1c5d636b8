import { z } from "zod";

export const GLOB_HINT = 'write a repo-relative glob such as "src/**" or "**/*.d.ts": no leading "/" or "./", no "..", no empty segment, balanced [] and {}';

/** Why `glob` is not a usable repo-relative glob, or null when it is. */
export function globProblem(glob: string): string | null {
  if (glob.includes("\0")) return "contains a NUL byte";
  if (glob.startsWith("/")) return "is absolute";
  // Bun.Glob never matches "./a" against the path "a": the rule would silently match nothing.
  if (glob.startsWith("./")) return 'starts with "./"';
  const segments = glob.split("/");
  if (segments.includes("..")) return 'climbs out with ".."';
  if (segments.includes("")) return "has an empty segment";
  return unbalanced(glob);
}

function unbalanced(glob: string): string | null {
  let braces = 0;
  let inClass = false;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      continue;
    }
    if (c === "[") inClass = true;
    else if (c === "{") braces++;
    else if (c === "}" && --braces < 0) return 'has an unmatched "}"';
  }
  if (inClass) return 'has an unclosed "["';
  if (braces > 0) return 'has an unclosed "{"';
  return null;
}

/** A glob (Bun.Glob syntax) over repo-relative paths. */
export const PolicyGlob = z
  .string()
  .min(1)
  .max(512)
  .superRefine((glob, ctx) => {
    const problem = globProblem(glob);
    if (problem) ctx.addIssue({ code: "custom", message: `is not a valid glob: it ${problem}`, params: { hint: GLOB_HINT } });
  });

export const GlobList = z.array(PolicyGlob).max(256);

/** A predicate true for a path any of `globs` matches. */
export function globMatcher(globs: readonly string[]): (path: string) => boolean {
  const compiled = globs.map((g) => new Bun.Glob(g));
  return (path) => compiled.some((g) => g.match(path));
}

/**
 * Like `globMatcher`, but letter case does not count: on case-insensitive file systems (macOS, Windows)
 * and for tools that look names up either way (`Auth/`, `DOCKERFILE`, `.GitHub/`), a protected path
 * in another case is the same path.
 */
export function caselessGlobMatcher(globs: readonly string[]): (path: string) => boolean {
  const compiled = globs.map((g) => new Bun.Glob(g.toLowerCase()));
  return (path) => {
    const lower = path.toLowerCase();
    return compiled.some((g) => g.match(lower));
  };
}
