import { posix } from "node:path";
import { addedLines, type DiffFile } from "../diff-types.ts";
import type { Finding, ReviewInput, Reviewer } from "../review-types.ts";
import { genericSecretHits } from "./generic-secrets.ts";
import { scanText } from "./secretlint-rules.ts";

const NAME = "secrets";
const FIX = "remove the secret from the change and rotate it: once pushed it counts as leaked";

/**
 * Secrets in added lines, by secretlint's recommended rule set plus a generic check for literal
 * passwords. Findings name the kind of secret and where, never its value.
 */
export const secretsReviewer = {
  name: NAME,
  async review(input: ReviewInput): Promise<Finding[]> {
    const scanned = input.files.filter((f) => f.status !== "deleted" && !f.binary && f.hunks.some((h) => h.added.length > 0));
    const perFile = await Promise.all(scanned.map(scanFile));
    return perFile.flat();
  },
} satisfies Reviewer;

async function scanFile(file: DiffFile): Promise<Finding[]> {
  const lines = addedLines(file);
  const hits = await scanText(lines.map((l) => l.text).join("\n"), file.path, posix.extname(file.path));
  const findings: Finding[] = hits.map((hit) => ({
    reviewer: NAME,
    rule: `secretlint/${hit.rule}`,
    severity: "block",
    file: file.path,
    line: lines[hit.line - 1]?.line ?? null,
    message: `adds a secret (${hit.messageId}) to ${file.path}; the value is not shown`,
    fixHint: FIX,
  }));
  const flagged = new Set(findings.map((f) => f.line));
  for (const hit of genericSecretHits(lines)) {
    if (flagged.has(hit.line)) continue;
    findings.push({
      reviewer: NAME,
      rule: "generic_secret_assignment",
      severity: "request_changes",
      file: file.path,
      line: hit.line,
      message: `adds ${hit.kind} to ${file.path}; the value is not shown`,
      fixHint: `read it from the environment or a secret store instead; if it is real, ${FIX}`,
    });
  }
  return findings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}
