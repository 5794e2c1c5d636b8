import { globMatcher, isUnder } from "../path-match.ts";
import type { Finding, ReviewInput, Reviewer } from "../review-types.ts";

const NAME = "forbidden_files";

/** No binaries, no oversized files, no generated code outside the folders meant for it. Deleting any of them is fine. */
export const forbiddenFilesReviewer = {
  name: NAME,
  review(input: ReviewInput): Finding[] {
    const { maxFileBytes, generatedDirs, generatedGlobs } = input.rules;
    const isGenerated = globMatcher(generatedGlobs);
    const findings: Finding[] = [];
    const block = (file: string, rule: string, message: string, fixHint: string) =>
      findings.push({ reviewer: NAME, rule, severity: "block", file, line: null, message, fixHint });
    for (const file of input.files) {
      if (file.status === "deleted") continue;
      if (file.binary) block(file.path, "binary_file", `${file.path} is a binary file`, "keep binaries out of agent changes; a maintainer can add them by hand");
      if (file.size !== null && file.size > maxFileBytes) {
        block(file.path, "file_too_large", `${file.path} is ${file.size} bytes, over the ${maxFileBytes}-byte limit`, "keep large files out of the change");
      }
      if (isGenerated(file.path) && !isUnder(file.path, generatedDirs)) {
        const where = generatedDirs.length ? `outside ${generatedDirs.join(", ")}` : "and no folder is meant for generated code";
        block(file.path, "generated_file", `${file.path} looks generated (${generatedGlobs.find((g) => new Bun.Glob(g).match(file.path))}) ${where}`, "commit the source and let the build generate this file");
      }
    }
    return findings;
  },
} satisfies Reviewer;
