import { posix } from "node:path";
import type { DiffLine } from "../diff-types.ts";
import { genericSecretHits, syntaxOf } from "./generic-secrets.ts";
import { scanPatterns } from "./secret-patterns.ts";
import { lineOf, scanText } from "./secretlint-rules.ts";

/** How a scanned line was obtained from the added lines. */
export type Via = "text" | "joined" | "base64" | "hex";

/** A line to scan; `line` is the head line it comes from (several may share one). */
export interface SourceLine extends DiffLine {
  via: Via;
  /** For a joined line, the last head line it takes text from. */
  lastLine?: number;
}

export interface SecretHit {
  /** `secretlint/<rule>`, a `SECRET_PATTERNS` id, or `generic_secret_assignment`. */
  rule: string;
  severity: "block" | "request_changes";
  /** The kind of secret, for the message; never the value. */
  kind: string;
  line: number;
  via: Via;
  lastLine?: number;
}

/** Known formats: secretlint's recommended rules, then the patterns it lacks. */
export async function knownFormatHits(lines: SourceLine[], path: string): Promise<SecretHit[]> {
  if (lines.length === 0) return [];
  const content = lines.map((l) => l.text).join("\n");
  const at = lineLocator(lines);
  const hits: SecretHit[] = (await scanText(content, path, posix.extname(path))).map((hit) => ({
    rule: `secretlint/${hit.rule}`,
    severity: "block",
    kind: hit.messageId,
    ...at(hit.line),
  }));
  for (const hit of scanPatterns(content)) {
    hits.push({ rule: hit.id, severity: hit.severity, kind: hit.description, ...at(lineOf(content, hit.index)) });
  }
  return hits;
}

/** The entropy heuristic for literal values under secret-looking names. */
export function entropyHits(lines: SourceLine[], path: string): SecretHit[] {
  // Decoded text is data, whatever file the blob sat in.
  const syntax = lines[0]?.via === "base64" || lines[0]?.via === "hex" ? "config" : syntaxOf(path);
  return genericSecretHits(lines, syntax).map((hit) => ({
    rule: "generic_secret_assignment",
    severity: "request_changes",
    kind: hit.kind,
    line: hit.line,
    via: lines[hit.index]?.via ?? "text",
    lastLine: lines[hit.index]?.lastLine,
  }));
}

/** Maps a 1-based line of the joined content back to its source line. */
function lineLocator(lines: SourceLine[]) {
  return (n: number): Pick<SecretHit, "line" | "via" | "lastLine"> => {
    const source = lines[Math.min(Math.max(n, 1), lines.length) - 1];
    return { line: source?.line ?? 1, via: source?.via ?? "text", lastLine: source?.lastLine };
  };
}
