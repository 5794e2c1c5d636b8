import { lstatSync } from "node:fs";
import { join } from "node:path";
import { splitZ, untrackedEntries } from "./changes.ts";
import { git } from "./git.ts";
import { hostGit, type JobCheckout } from "./worktree.ts";
import { gitMetadataKind } from "./git-metadata.ts";
import type { ScopeViolation } from "./scope.ts";

/**
 * What must be refused before git reads a single file of the worktree. Staging (`git add`) applies the
 * `.gitattributes` in effect, so an attributes file the job wrote (even an ignored one) could make git
 * run a filter command; nested repositories cannot be staged; huge new files would be hashed in full.
 * Only names and sizes are read here, never content through git.
 */
export async function preflightWorktree(checkout: Pick<JobCheckout, "dir" | "gitDir" | "commit">, maxFileBytes: number): Promise<ScopeViolation[]> {
  const violations: ScopeViolation[] = [];
  const { dir } = checkout;
  const { files, nestedRepos } = await untrackedEntries(checkout);
  for (const path of nestedRepos) {
    violations.push({ path, rule: "submodule", message: "is a nested git repository (a directory with its own .git)" });
  }
  for (const path of files) {
    const kind = gitMetadataKind(path);
    if (kind === "gitattributes") violations.push({ path, rule: "gitattributes", message: "adds a .gitattributes file (filters can run commands)" });
    else if (kind) violations.push({ path, rule: "git_metadata", message: "adds git metadata (.git, .gitmodules)" });
    const stat = lstatSync(join(dir, path), { throwIfNoEntry: false });
    if (!kind && stat?.isFile() && stat.size > maxFileBytes) {
      violations.push({ path, rule: "file_too_large", message: `is ${stat.size} bytes, over the ${maxFileBytes}-byte limit` });
    }
  }
  violations.push(...(await ignoredAttributes(checkout)), ...(await changedTrackedAttributes(checkout)));
  return violations;
}

/** Ignored `.gitattributes` files still apply; one inside a wholly ignored directory only affects ignored files. */
async function ignoredAttributes(checkout: Pick<JobCheckout, "dir" | "gitDir">): Promise<ScopeViolation[]> {
  const r = await git(["ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"], hostGit(checkout, { timeoutMs: 300_000 }));
  return splitZ(r.stdout)
    .filter((path) => !path.endsWith("/") && gitMetadataKind(path) === "gitattributes")
    .map((path): ScopeViolation => ({ path, rule: "gitattributes", message: "adds an ignored .gitattributes file, which git would still apply" }));
}

/** `.gitattributes` files of HEAD that the job changed, replaced or deleted (compared byte for byte, no filters). */
async function changedTrackedAttributes(checkout: Pick<JobCheckout, "dir" | "gitDir" | "commit">): Promise<ScopeViolation[]> {
  const { dir } = checkout;
  const tree = await git(["ls-tree", "-r", "-z", "--full-tree", checkout.commit], hostGit(checkout, { timeoutMs: 120_000 }));
  const violations: ScopeViolation[] = [];
  for (const entry of splitZ(tree.stdout)) {
    const tab = entry.indexOf("\t");
    const path = entry.slice(tab + 1);
    if (gitMetadataKind(path) !== "gitattributes") continue;
    const sha = entry.slice(0, tab).split(" ")[2];
    const stat = lstatSync(join(dir, path), { throwIfNoEntry: false });
    if (!stat) {
      violations.push({ path, rule: "gitattributes", message: "deletes a .gitattributes file" });
      continue;
    }
    const now = stat.isFile() ? (await git(["hash-object", "--no-filters", "--", path], hostGit(checkout))).stdout.trim() : null;
    if (now !== sha) violations.push({ path, rule: "gitattributes", message: "changes a .gitattributes file" });
  }
  return violations;
}
