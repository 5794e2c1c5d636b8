import { rules as recommended } from "@secretlint/secretlint-rule-preset-recommend";
import type { SecretLintRuleContext, SecretLintRuleCreator, SecretLintSourceCode } from "@secretlint/types";

/** One rule match: which rule and message, and where; never the matched text. */
export interface SecretHit {
  /** e.g. "aws", from "@secretlint/secretlint-rule-aws". */
  rule: string;
  messageId: string;
  /** 1-based line of the match's start in the scanned text. */
  line: number;
}

const PREFIX = "@secretlint/secretlint-rule-";
// The comment filter would let the change itself switch detection off (`// secretlint-disable-line`).
const SKIPPED = new Set([`${PREFIX}filter-comments`]);
// A URL whose password is a stand-in (`changeme`, `xxxx`, `<password>`) is documentation, not a leak.
const PLACEHOLDER_PASSWORD = String.raw`/:\/\/[^:\s\/@]*:(?:<[^>]*>|\*{3,}|x{3,}|change[-_]?me|placeholder|redacted|your[-_]?password)@/i`;
/**
 * Options beyond the defaults. Of the preset's scanners only the AWS rule has a detection that is off
 * by default (`enableIDScanRule`: access key ids and account ids); an id alone is already a leak worth
 * stopping. Every other scanner takes nothing but `allows`, and all of them run (see `activeRuleIds`).
 */
const OPTIONS: Record<string, Record<string, unknown>> = {
  [`${PREFIX}aws`]: { enableIDScanRule: true },
  [`${PREFIX}database-connection-string`]: { allows: [PLACEHOLDER_PASSWORD] },
  [`${PREFIX}basicauth`]: { allows: [PLACEHOLDER_PASSWORD] },
};

const SCANNERS = (recommended as SecretLintRuleCreator<Record<string, unknown>>[]).filter(
  (rule) => rule.meta.type === "scanner" && !SKIPPED.has(rule.meta.id) && rule.meta.supportedContentTypes.some((t) => t !== "binary"),
);

/** Short ids ("aws", "github", ...) of the preset rules this module runs. */
export function activeRuleIds(): string[] {
  return SCANNERS.map((rule) => shortId(rule.meta.id));
}

function shortId(id: string): string {
  return id.startsWith(PREFIX) ? id.slice(PREFIX.length) : id;
}

/**
 * Runs secretlint's recommended rules through the rule API itself (`create(context).file(source)`)
 * rather than `@secretlint/core`: core 12 always runs its profiler, whose performance marks pile up
 * for the life of the process and make every later spawn and timer slower (upstream
 * secretlint/secretlint#1633; the releases that let a caller switch it off need Node 22). A rule that
 * throws fails the whole scan, and so the reviewer, closed. Rules only call `report` and
 * `createTranslator`; the translator here keeps no message data, so the secret never leaves the rule.
 */
export async function scanText(content: string, path: string, ext: string): Promise<SecretHit[]> {
  // The p12 check reads `filePath` from disk; without a path it skips, so no rule touches the file system.
  const source = { content, contentType: "text", ext, filePath: ext === ".p12" ? undefined : path } as SecretLintSourceCode;
  const hits: SecretHit[] = [];
  const pending: Array<void | Promise<void>> = [];
  for (const rule of SCANNERS) {
    const id = shortId(rule.meta.id);
    const context: SecretLintRuleContext = {
      sharedOptions: {},
      createTranslator: () => ((messageId: string) => ({ message: messageId, messageId, data: undefined })) as never,
      report: (descriptor) => hits.push({ rule: id, messageId: descriptor.message.messageId, line: lineOf(content, descriptor.range[0]) }),
      ignore: () => {},
    };
    pending.push(rule.create(context, OPTIONS[rule.meta.id] ?? {}).file?.(source));
  }
  await Promise.all(pending);
  return hits.sort((a, b) => a.line - b.line);
}

/** 1-based line of `index` in `content`. */
export function lineOf(content: string, index: number): number {
  let line = 1;
  for (let i = content.indexOf("\n"); i !== -1 && i < index; i = content.indexOf("\n", i + 1)) line++;
  return line;
}
