import { lstatSync, readlinkSync, realpathSync } from "node:fs";
import { isAbsolute, join, posix, relative } from "node:path";
import { z } from "zod";
import { JobFailure } from "../core/job-failure.ts";
import { GITLINK_MODE, SYMLINK_MODE, type ChangedFile } from "./changes.ts";
import { gitMetadataKind } from "./git-metadata.ts";

/** A repo-relative glob (`src/**`, `README.md`); never absolute, never climbing out with `..`. */
const ScopeGlob = z
  .string()
  .min(1)
  .max(512)
  .refine((g) => !g.startsWith("/") && !g.includes("\0") && !g.split("/").includes(".."), "must be a repo-relative glob without ..");

export const ScopeRules = z.strictObject({
  /** Globs (Bun.Glob) of the paths a job may write; empty allows nothing. */
  scope: z.array(ScopeGlob).max(256),
  maxFileBytes: z.number().int().positive(),
});
export type ScopeRules = z.infer<typeof ScopeRules>;

export type ScopeRule =
  | "out_of_scope"
  | "symlink_escape"
  | "symlink_out_of_scope"
  | "git_metadata"
  | "gitattributes"
  | "submodule"
  | "file_too_large"
  | "mode_change_out_of_scope";

export interface ScopeViolation {
  path: string;
  rule: ScopeRule;
  message: string;
}

/** The job tried to write where its scope does not reach: `policy_denied`, with one evidence line per path. */
export class ScopeDenied extends JobFailure {
  constructor(readonly violations: ScopeViolation[]) {
    const paths = [...new Set(violations.map((v) => v.path))];
    const listed = paths.map((p) => JSON.stringify(p)).join(", ");
    super("policy_denied", `write scope denied ${paths.length} path(s): ${listed}`.slice(0, 4000), {
      logExcerpt: violations.map((v) => `${JSON.stringify(v.path)} ${v.rule}: ${v.message}`).join("\n").slice(0, 16_000),
      paths: paths.slice(0, 1000),
    });
  }

  get offendingPaths(): string[] {
    return [...new Set(this.violations.map((v) => v.path))];
  }
}

export function parseScopeRules(rules: ScopeRules): ScopeRules {
  const parsed = ScopeRules.safeParse(rules);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new JobFailure("invalid_input", `bad write scope: ${issue?.path.join(".")} ${issue?.message}`);
}

/**
 * Every way `changes` would write outside what `rules` allow. Sizes and symlink targets come from the
 * changes when known (the staged content); otherwise they are read from the worktree at `dir`.
 */
export function checkScope(dir: string, changes: ChangedFile[], rules: ScopeRules): ScopeViolation[] {
  const { scope, maxFileBytes } = parseScopeRules(rules);
  const globs = scope.map((g) => new Bun.Glob(g));
  const inScope = (path: string) => globs.some((g) => g.match(path));
  const violations: ScopeViolation[] = [];
  for (const change of changes) {
    const v = checkChange(dir, change, inScope, maxFileBytes);
    if (v) violations.push(v);
  }
  return violations;
}

function checkChange(dir: string, change: ChangedFile, inScope: (path: string) => boolean, maxFileBytes: number): ScopeViolation | null {
  const { path } = change;
  const paths = change.oldPath === undefined ? [path] : [path, change.oldPath];
  const deny = (rule: ScopeRule, message: string, at = path): ScopeViolation => ({ path: at, rule, message });
  for (const p of paths) {
    if (p.includes("\ufffd")) return deny("out_of_scope", "the path is not valid UTF-8", p);
    const kind = gitMetadataKind(p);
    if (kind === "gitattributes") return deny("gitattributes", "changes .gitattributes (filters and diff drivers can run commands)", p);
    if (kind) return deny("git_metadata", "changes git metadata (.git, .gitmodules)", p);
  }
  if (change.mode === GITLINK_MODE || change.oldMode === GITLINK_MODE) {
    return deny("submodule", "adds or changes a submodule or nested repository (gitlink)");
  }
  for (const p of paths) {
    if (inScope(p)) continue;
    const modeOnly = change.status === "modified" && change.blob !== undefined && change.blob === change.oldBlob;
    if (modeOnly) return deny("mode_change_out_of_scope", `changes the mode ${change.oldMode} -> ${change.mode} outside the write scope`, p);
    return deny("out_of_scope", p === path ? `is ${change.status} outside the write scope` : "is renamed away from outside the write scope", p);
  }
  if (change.status === "deleted") return null;
  if (change.mode === SYMLINK_MODE) return checkSymlink(dir, change, inScope);
  const size = change.size ?? lstatSync(join(dir, path), { throwIfNoEntry: false })?.size;
  if (size !== undefined && size > maxFileBytes) return deny("file_too_large", `is ${size} bytes, over the ${maxFileBytes}-byte limit`);
  return null;
}

function checkSymlink(dir: string, change: ChangedFile, inScope: (path: string) => boolean): ScopeViolation | null {
  const { path } = change;
  const escape = (message: string): ScopeViolation => ({ path, rule: "symlink_escape", message });
  const target = change.symlinkTarget ?? readLink(join(dir, path));
  if (target === null) return escape("is a symlink that cannot be read");
  if (isAbsolute(target)) return escape(`points to the absolute path ${JSON.stringify(target)}`);
  const lexical = posix.normalize(posix.join(posix.dirname(path), target));
  if (lexical === ".." || lexical.startsWith("../")) return escape(`points outside the worktree (${JSON.stringify(target)})`);
  // Through other symlinks already in the tree the real target can differ from the lexical one.
  const real = realTarget(dir, path);
  if (real === "outside") return escape(`resolves outside the worktree (${JSON.stringify(target)})`);
  for (const t of new Set(real === null ? [lexical] : [lexical, real])) {
    if (gitMetadataKind(t) || !inScope(t)) {
      return { path, rule: "symlink_out_of_scope", message: `points to ${JSON.stringify(t)}, outside the write scope` };
    }
  }
  return null;
}

function readLink(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}

/** The symlink's fully resolved target relative to the worktree; null when it dangles. */
function realTarget(dir: string, path: string): string | "outside" | null {
  let resolved: string;
  try {
    resolved = realpathSync(join(dir, path));
  } catch {
    return null;
  }
  const rel = relative(realpathSync(dir), resolved);
  if (rel === "" || rel === ".." || rel.startsWith("../") || isAbsolute(rel)) return rel === "" ? "." : "outside";
  return rel;
}
