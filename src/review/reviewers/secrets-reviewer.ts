import { addedLines, type DiffFile } from "../diff-types.ts";
import type { Finding, ReviewInput, Reviewer } from "../review-types.ts";
import { decodeBlobs } from "./secret-decode.ts";
import { envFileHit } from "./secret-env-file.ts";
import { joinedLines } from "./secret-joins.ts";
import { entropyHits, knownFormatHits, type SecretHit, type SourceLine, type Via } from "./secret-scan.ts";

const NAME = "secrets";
const FIX = "remove the secret from the change and rotate it: once pushed it counts as leaked";
const HOW: Record<Via, string> = { text: "", joined: ", split into pieces,", base64: ", base64-encoded,", hex: ", hex-encoded," };

/**
 * Secrets in added lines: secretlint's recommended rules and a table of the formats it lacks (block),
 * a heuristic for random-looking literals under secret-looking names (request changes), and any value
 * in a `.env` file (block). Each rule also sees the lines with split strings rejoined and encoded blobs
 * decoded. Findings name the kind of secret and where, never its value; at most one per line.
 */
export const secretsReviewer = {
  name: NAME,
  async review(input: ReviewInput): Promise<Finding[]> {
    const scanned = input.files.filter((f) => f.status !== "deleted" && !f.binary && f.hunks.some((h) => h.added.length > 0));
    const perFile = await Promise.all(scanned.map(scanFile));
    return perFile.flat();
  },
} satisfies Reviewer;

/** One file's added lines; the Security Sentinel scans each committed blob as a file whose every line is added. */
export async function scanFile(file: DiffFile): Promise<Finding[]> {
  const added: SourceLine[] = addedLines(file).map((l) => ({ ...l, via: "text" }));
  const joined = joinedLines(added);
  const decoded = decodeBlobs([...added, ...joined]);
  const passes = [added, joined, decoded.lines].filter((lines) => lines.length > 0);
  const known = (await Promise.all(passes.map((lines) => knownFormatHits(lines, file.path)))).flat();
  const keyBodies = decoded.keyLines.map((line): SecretHit => ({ rule: "private_key", severity: "block", kind: "private key body", line, via: "base64" }));
  const heuristic = passes.flatMap((lines) => entropyHits(lines, file.path));
  const findings = onePerLine(withoutRepeats([...known, ...keyBodies, ...heuristic])).map((hit) => toFinding(file.path, hit));
  const env = envFileFinding(file);
  return [...(env ? [env] : []), ...findings].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

/** A joined line repeats what its own lines already showed; keep only what joining revealed. */
function withoutRepeats(hits: SecretHit[]): SecretHit[] {
  const plain = hits.filter((h) => h.via === "text");
  return hits.filter((hit) => {
    const { lastLine } = hit;
    if (hit.via !== "joined" || lastLine === undefined) return true;
    return !plain.some((p) => p.rule === hit.rule && p.line >= hit.line && p.line <= lastLine);
  });
}

/** Blocking hits win over heuristic ones, then the first pass (plain text before rejoined or decoded). */
function onePerLine(hits: SecretHit[]): SecretHit[] {
  const byLine = new Map<number, SecretHit>();
  for (const hit of hits) {
    const kept = byLine.get(hit.line);
    if (!kept || (kept.severity !== "block" && hit.severity === "block")) byLine.set(hit.line, hit);
  }
  return [...byLine.values()];
}

function toFinding(path: string, hit: SecretHit): Finding {
  const heuristic = hit.severity !== "block";
  return {
    reviewer: NAME,
    rule: hit.rule,
    severity: hit.severity,
    file: path,
    line: hit.line,
    message: heuristic
      ? `adds what looks like a secret (${hit.kind})${HOW[hit.via]} to ${path}; the value is not shown`
      : `adds a secret (${hit.kind})${HOW[hit.via]} to ${path}; the value is not shown`,
    fixHint: heuristic ? `read it from the environment or a secret store instead; if it is real, ${FIX}` : FIX,
  };
}

function envFileFinding(file: DiffFile): Finding | null {
  const hit = envFileHit(file.path, addedLines(file));
  if (!hit) return null;
  const what = hit.template ? "an env template with a value that is neither empty nor a placeholder" : "an env file with assigned values";
  return {
    reviewer: NAME,
    rule: "env_file",
    severity: "block",
    file: file.path,
    line: hit.line,
    message: `adds ${what} (${file.path}); env files hold live configuration and secrets, the values are not shown`,
    fixHint: hit.template
      ? "leave every value in a template empty or an obvious placeholder such as <your-token>"
      : "keep env files out of the repository (list them in .gitignore) and commit a .env.example with empty values instead",
  };
}
