import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";

/** Larger than any real CI definition: not read, so a planted file cannot slow init down. */
const MAX_BYTES = 1024 * 1024;

/** A CI file parsed as YAML: its value, or a note saying why it could not be read. */
export type YamlFile = { ok: true; value: unknown } | { ok: false; note: string };

/** Reads `rel` under `root` as YAML (merge keys on, unknown tags such as GitLab's `!reference` kept as plain values). */
export function readYamlFile(root: string, rel: string): YamlFile {
  let text: string;
  try {
    if (statSync(join(root, rel)).size > MAX_BYTES) return { ok: false, note: `${rel} is larger than 1 MB; its checks were not read` };
    text = readFileSync(join(root, rel), "utf8");
  } catch (err) {
    return { ok: false, note: `could not read ${rel} (${(err as NodeJS.ErrnoException).code ?? String(err)}); its checks were not read` };
  }
  const doc = parseDocument(text, { merge: true });
  const [error] = doc.errors;
  if (error) return { ok: false, note: `${rel} is not valid YAML (${error.message.split("\n")[0]}); its checks were not read` };
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: 1000 }) };
  } catch (err) {
    return { ok: false, note: `${rel} could not be read (${(err as Error).message}); its checks were not read` };
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function asRecord(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

export function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** A list of strings, flattening nested lists (GitLab's `!reference` puts lists inside lists). */
export function stringList(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => stringList(item));
}

/** A CI variable that is, by its name, a credential: `$NPM_TOKEN`, `${DEPLOY_PASSWORD}`, `$CI_JOB_TOKEN`. */
const SECRET_VARIABLE = /\$\{?([A-Z0-9_]*(?:TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|APIKEY|PRIVATE_KEY|CREDENTIALS?)[A-Z0-9_]*)\b/;

/** "needs the secret $X" when the shell text uses a credential variable, else null. */
export function secretVariable(text: string): string | null {
  const match = SECRET_VARIABLE.exec(text);
  return match ? `needs the CI secret $${match[1]}` : null;
}

/** A runner image or pool that is not Linux: its steps assume another OS. */
export function otherOs(image: string | undefined): string | null {
  if (!image) return null;
  return /^(windows|macos|macOS|win)/i.test(image) ? `runs on ${image}` : null;
}
