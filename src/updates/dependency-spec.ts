import semver from "semver";
import { isPackageName } from "../registry/packument.ts";

export type DependencyType = "prod" | "dev" | "optional" | "peer";

/** The manifest sections, and the type of the dependencies each declares. */
export const SECTION_TYPES: readonly (readonly [section: string, type: DependencyType])[] = [
  ["dependencies", "prod"],
  ["devDependencies", "dev"],
  ["optionalDependencies", "optional"],
  ["peerDependencies", "peer"],
];

/**
 * What a manifest's dependency spec installs from. Only a semver range of a registry package can be
 * updated by the Dependency Steward: an `npm:` alias counts as its target (`"x": "npm:real@^1"` is `real`
 * at `^1`), and everything else (git, URLs, paths, `file:`, `link:`, `workspace:`, `catalog:`, dist-tags)
 * is left alone, with the reason.
 */
export type SpecVerdict = { registry: true; name: string; range: string; alias: string | null } | { registry: false; reason: string };

const MAX_SPEC = 1024;
const PROTOCOLS: [RegExp, string][] = [
  [/^workspace:/i, "a workspace: package of the repository"],
  [/^(file|link|portal):/i, "a local path"],
  [/^catalog:/i, "a pnpm catalog entry"],
  [/^(patch|exec):/i, "a patched or generated package"],
  [/^(git\+|git:|git@|github:|gitlab:|bitbucket:|gist:|ssh:)/i, "a git dependency"],
  [/^https?:\/\//i, "a tarball URL"],
  [/^(\.{0,2}\/|~\/|[a-z]:[\\/])/i, "a local path"],
  [/^jsr:/i, "a JSR package"],
];
// "user/repo" and "user/repo#ref": GitHub shorthand (a scoped name starts with "@").
const GITHUB_SHORTHAND = /^[\w.-]+\/[\w.-]+(#.*)?$/;

export function classifySpec(key: string, spec: unknown): SpecVerdict {
  if (typeof spec !== "string") return { registry: false, reason: "not a string" };
  const text = spec.trim();
  if (text.length > MAX_SPEC) return { registry: false, reason: "longer than any version range" };
  let name = key;
  let range = text;
  let alias: string | null = null;
  if (/^npm:/i.test(text)) {
    const target = text.slice(4);
    const at = target.indexOf("@", target.startsWith("@") ? 1 : 0);
    name = at === -1 ? target : target.slice(0, at);
    range = at === -1 ? "" : target.slice(at + 1);
    alias = key;
  }
  if (!isPackageName(name)) return { registry: false, reason: alias ? "an npm: alias of no package name" : "not an npm package name" };
  for (const [pattern, reason] of PROTOCOLS) if (pattern.test(range)) return { registry: false, reason };
  if (GITHUB_SHORTHAND.test(range)) return { registry: false, reason: "a git dependency" };
  // "" is any version, as "*" is.
  if (semver.validRange(range) === null) return { registry: false, reason: /^[a-z][\w.-]*$/i.test(range) ? `the dist-tag ${JSON.stringify(range)}, not a version range` : "not a semver range" };
  return { registry: true, name, range, alias };
}
