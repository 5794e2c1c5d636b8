import { gitMetadataKind } from "../../scm/git-metadata.ts";
import { globMatcher } from "../path-match.ts";
import type { Finding, ReviewInput, Reviewer } from "../review-types.ts";
import { exceptQuarantineFile } from "../../test-quarantine/quarantine-path.ts";

const NAME = "scope";

/** Every path (and a rename's old path) must be in scope; protected paths need a human's approval. */
export const scopeReviewer = {
  name: NAME,
  review(input: ReviewInput): Finding[] {
    const inScope = globMatcher(input.rules.scope);
    // The test quarantine has its own reviewer and gate (a person approves it), unless the policy protects it by name.
    const isProtected = exceptQuarantineFile(input.rules.protectedPaths, globMatcher(input.rules.protectedPaths));
    const findings: Finding[] = [];
    for (const file of input.files) {
      const paths = file.oldPath === null ? [file.path] : [file.path, file.oldPath];
      for (const path of paths) {
        const fromHere = path === file.path ? `is ${file.status}` : `is renamed away to ${file.path}`;
        if (gitMetadataKind(path)) {
          findings.push(block(path, "git_metadata", `${path} is git metadata (.git, .gitmodules, .gitattributes) and ${fromHere}`));
        } else if (!inScope(path)) {
          findings.push(block(path, "out_of_scope", `${path} ${fromHere} outside the change's scope (${input.rules.scope.join(", ") || "empty"})`));
        }
        if (isProtected(path)) {
          findings.push({
            reviewer: NAME,
            rule: "protected_path",
            severity: "request_changes",
            file: path,
            line: null,
            message: `${path} is a protected path: the change needs approval`,
            fixHint: "ask a maintainer to approve this change, or leave the protected path alone",
          });
        }
      }
    }
    return findings;
  },
} satisfies Reviewer;

function block(file: string, rule: string, message: string): Finding {
  return { reviewer: NAME, rule, severity: "block", file, line: null, message, fixHint: "revert the change to this path, or ask for a job whose scope covers it" };
}
