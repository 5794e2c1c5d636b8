import type { DiffFile } from "../diff-types.ts";
import type { Finding } from "../review-types.ts";

const SECRETS_REVIEWER = "secrets";
export const MASKED = "(secret finding: not shown)";

/**
 * The diff as the model reviewer may send it: every added line the secrets reviewer flagged, and every line
 * of a file it flagged as a whole (an env file), replaced, so no secret the ReviewAgent found leaves for a
 * model provider or lands in the stored transcript.
 */
export function maskSecrets(files: readonly DiffFile[], findings: readonly Finding[]): DiffFile[] {
  const secrets = findings.filter((f) => f.reviewer === SECRETS_REVIEWER && f.file !== null);
  if (secrets.length === 0) return [...files];
  const whole = new Set(secrets.filter((f) => f.line === null || f.rule === "env_file").map((f) => f.file));
  const lines = new Set(secrets.filter((f) => f.line !== null).map((f) => `${f.file}\u0000${f.line}`));
  return files.map((file) => {
    const all = whole.has(file.path);
    if (!all && !secrets.some((f) => f.file === file.path)) return file;
    const mask = (l: { line: number; text: string }) => (all || lines.has(`${file.path}\u0000${l.line}`) ? { ...l, text: MASKED } : l);
    return { ...file, contents: undefined, hunks: file.hunks.map((h) => ({ ...h, added: h.added.map(mask), removed: all ? h.removed.map((l) => ({ ...l, text: MASKED })) : h.removed })) };
  });
}
