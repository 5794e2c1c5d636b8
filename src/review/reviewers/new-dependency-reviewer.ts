import type { Finding, ReviewInput, Reviewer } from "../review-types.ts";
import { dependencies, isManifest, keyLine, readManifest } from "./manifest.ts";

const NAME = "dependencies";

/**
 * A package not in any dependency section before is new (moving one between sections is not). New
 * ones block unless the policy allows them; then they are noted so a human still sees them.
 */
export const newDependencyReviewer = {
  name: NAME,
  review(input: ReviewInput): Finding[] {
    const findings: Finding[] = [];
    for (const file of input.files.filter(isManifest)) {
      if (file.status === "deleted") continue;
      const sides = readManifest(file);
      if (!sides.ok) {
        findings.push({
          reviewer: NAME,
          rule: "manifest_unreadable",
          severity: "request_changes",
          file: file.path,
          line: null,
          message: `cannot check the dependencies of ${file.path}: ${sides.reason}`,
          fixHint: "keep package.json valid JSON",
        });
        continue;
      }
      const before = dependencies(sides.old);
      for (const [name, section] of dependencies(sides.new)) {
        if (before.has(name)) continue;
        const allowed = input.rules.allowNewDependencies;
        findings.push({
          reviewer: NAME,
          rule: "new_dependency",
          severity: allowed ? "note" : "block",
          file: file.path,
          line: keyLine(file, name),
          message: `adds the new dependency ${JSON.stringify(name)} to ${section}${allowed ? "" : ", which this policy does not allow"}`,
          fixHint: allowed ? "check the package before merging" : "do without the package, or ask for a policy that allows new dependencies",
        });
      }
    }
    return findings;
  },
} satisfies Reviewer;
