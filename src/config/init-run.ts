import { appendFileSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { defaultPolicyToml } from "../policy/default-policy-toml.ts";
import { POLICY_RELATIVE_PATH } from "../policy/load-policy.ts";
import { dirname, join } from "node:path";
import { isPushpalsError, PushpalsError } from "../core/errors.ts";
import { renderAppendix, renderConfig } from "./config-writer.ts";
import { describeItem, detectForInit, missingItems, proposeConfig, type AddItem, type InitDetection } from "./init-plan.ts";
import { CONFIG_RELATIVE_PATH, parseConfigText, parseLayer } from "./load.ts";

export interface InitOptions {
  repoRoot: string;
  /** Append what an existing file lacks (never rewrites it). */
  yes: boolean;
  /** The date in the "added by" comment, YYYY-MM-DD; default: today, local time. */
  today?: string;
}

/** The result of `pushpals init` (printed as is by `--json`). */
export interface InitResult {
  configPath: string;
  created: boolean;
  /** `.pushpals/policy.toml`: written with the commented defaults when absent, never touched otherwise. */
  policyPath: string;
  policyCreated: boolean;
  wouldAdd: AddItem[];
  added: AddItem[];
  detected: InitDetection;
}

/**
 * Creates `.pushpals/config.toml` from what detection proposes, or, when it exists, compares it with the
 * proposal. An existing file is never rewritten: at most (with `yes`) the missing parts are appended.
 */
export async function runInit(options: InitOptions): Promise<InitResult> {
  const configPath = join(options.repoRoot, CONFIG_RELATIVE_PATH);
  const policyPath = join(options.repoRoot, POLICY_RELATIVE_PATH);
  const policyCreated = !existsSync(policyPath);
  if (policyCreated) createFile(policyPath, defaultPolicyToml());
  const policy = { policyPath, policyCreated };
  const detected = await detectForInit(options.repoRoot);
  const proposed = proposeConfig(detected);
  const existing = readExisting(configPath);
  if (existing === null) {
    createFile(configPath, renderConfig(proposed));
    return { configPath, created: true, ...policy, wouldAdd: [], added: [], detected };
  }

  const text = existing.toString("utf8");
  const layer = validateExisting(text, configPath);
  const missing = missingItems(layer, proposed);
  if (!options.yes || missing.length === 0) return { configPath, created: false, ...policy, wouldAdd: missing, added: [], detected };

  const separator = text.length === 0 || text.endsWith("\n") ? "" : "\n";
  const addition = separator + renderAppendix(missing, proposed, options.today ?? localDate(new Date()));
  assertAppendable(text + addition, missing, configPath);
  appendFile(configPath, existing, addition);
  return { configPath, created: false, ...policy, wouldAdd: [], added: missing, detected };
}

function readExisting(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return null;
    throw new PushpalsError("config_invalid", `${path} exists but cannot be read (${errnoCode(err) ?? (err as Error).message})`, {
      hint: "make it a readable file (or remove it and run `pushpals init` again)",
    });
  }
}

function validateExisting(text: string, path: string): ReturnType<typeof parseLayer> {
  try {
    parseConfigText(text, path);
    return parseLayer(text, path);
  } catch (err) {
    if (!isPushpalsError(err, "config_invalid")) throw err;
    throw new PushpalsError("config_invalid", `${err.message} (pushpals init left the file unchanged)`, { hint: err.hint, field: err.field, cause: err });
  }
}

/** The file with the addition must still be valid and hold everything added, or nothing is written. */
function assertAppendable(combined: string, added: AddItem[], path: string): void {
  const manual = `add these by hand: ${added.map(describeItem).join(", ")}`;
  let config: ReturnType<typeof parseConfigText>;
  try {
    config = parseConfigText(combined, "the file with the addition");
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new PushpalsError("conflict", `cannot append to ${path} without breaking it: ${why}`, { hint: manual, cause: err });
  }
  const lost = added.filter((i) => i.kind === "check" && !config.checks.commands.some((c) => c.name === i.name && c.run === i.run));
  if (lost.length === 0) return;
  throw new PushpalsError("conflict", `cannot append check commands to ${path}: the file defines checks.commands in a way new tables do not extend`, {
    hint: manual,
  });
}

/** Never replaces a file: the new file is linked into place, which fails if one appeared meanwhile. */
function createFile(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, text, { flag: "wx" });
    linkOrWrite(tmp, path, text);
  } catch (err) {
    if (isPushpalsError(err)) throw err;
    throw writeError(path, err);
  } finally {
    rmSync(tmp, { force: true });
  }
}

function linkOrWrite(tmp: string, path: string, text: string): void {
  try {
    linkSync(tmp, path);
  } catch (err) {
    if (errnoCode(err) === "EEXIST") throw raceError(path);
    // File systems without hard links: an exclusive create still never replaces a file.
    writeFileSync(path, text, { flag: "wx" });
  }
}

function appendFile(path: string, before: Buffer, addition: string): void {
  try {
    if (!readFileSync(path).equals(before)) throw raceError(path);
    appendFileSync(path, addition);
  } catch (err) {
    if (isPushpalsError(err)) throw err;
    throw writeError(path, err);
  }
}

function raceError(path: string): PushpalsError {
  return new PushpalsError("conflict", `${path} was created or changed while pushpals init was running; nothing was written`, {
    hint: "run `pushpals init` again",
  });
}

function writeError(path: string, err: unknown): PushpalsError {
  return new PushpalsError("invalid_input", `cannot write ${path}: ${errnoCode(err) ?? (err as Error).message}`, {
    hint: "make sure the repository folder is writable (and .pushpals is a folder, not a file), then run `pushpals init` again",
    cause: err,
  });
}

function errnoCode(err: unknown): string | undefined {
  return err && typeof err === "object" && "code" in err && typeof err.code === "string" ? err.code : undefined;
}

function localDate(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
