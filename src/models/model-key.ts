import { closeSync, constants, existsSync, fstatSync, openSync, readSync, realpathSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { PushpalsError } from "../core/errors.ts";
import type { ModelsSettings } from "./models-settings.ts";

/** A key file holds one key: anything longer is not one. */
export const MAX_KEY_BYTES = 8 * 1024;

/** The key and where it came from; `source` is safe to show (`env OPENAI_API_KEY`, `file /home/me/.config/pushpals/model.key`), `value` never is. */
export interface ModelKey {
  value: string;
  source: string;
}

export interface ReadModelKeyOptions {
  /** The worker's own environment (default process.env). */
  env?: Record<string, string | undefined>;
  /** The repository PushPals works on: a key file inside it is refused (so is one inside any git work tree). */
  repoRoot?: string;
}

/**
 * Reads the model key host-side, for the provider factory only (src/models/model-client.ts): from the
 * environment variable `api_key_env` names, or from the file `api_key_file` names, which must be a
 * regular file (not a symlink), owned by this user, mode 0600 or stricter, at most 8 KiB and outside
 * every repository. Returns null when the section names no key (a local server that needs none).
 * A missing or unusable key is a config_invalid PushpalsError naming the variable or file and the fix;
 * no message ever holds the key or the file's content.
 *
 * src/secrets has no registry of literal secret values (its redaction is by pattern), so there is none
 * to register the key with: the model client removes the key's value from its own errors itself.
 */
export function readModelKey(settings: Pick<ModelsSettings, "api_key_env" | "api_key_file">, options: ReadModelKeyOptions = {}): ModelKey | null {
  if (settings.api_key_env !== null) return readKeyEnv(settings.api_key_env, options.env ?? process.env);
  if (settings.api_key_file !== null) return readKeyFile(settings.api_key_file, options.repoRoot);
  return null;
}

function readKeyEnv(name: string, env: Record<string, string | undefined>): ModelKey {
  const value = env[name]?.trim() ?? "";
  if (value === "") {
    throw new PushpalsError("config_invalid", `models.api_key_env names ${name}, which is not set (or is empty) in the environment`, {
      field: "models.api_key_env",
      hint: `export ${name}=<your key> in the shell that runs \`pushpals start\` (the workers inherit it), or keep the key in a private file and set models.api_key_file instead`,
    });
  }
  checkKeyText(value, `the variable ${name}`, "models.api_key_env");
  return { value, source: `env ${name}` };
}

function readKeyFile(path: string, repoRoot: string | undefined): ModelKey {
  const fail = (problem: string, hint: string): never => {
    throw new PushpalsError("config_invalid", `models.api_key_file ${path} ${problem}`, { field: "models.api_key_file", hint });
  };
  const privateFix = `keep the key alone in a file only you can read: chmod 600 ${path}`;
  let fd: number;
  try {
    // O_NOFOLLOW: a symlink is refused by open itself (nothing to race); O_NONBLOCK: a FIFO cannot hang the worker.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ELOOP") return fail("is a symbolic link", "point models.api_key_file at the key file itself, not at a link to it");
    if (code === "ENOENT" || code === "ENOTDIR") return fail("does not exist", `write the key to it (umask 077; printf '%s' "$KEY" > ${path}) or fix the path`);
    if (code === "EACCES" || code === "EPERM") return fail("cannot be read by this user", `make it yours and private: chown "$(id -un)" ${path} && chmod 600 ${path}`);
    return fail(`cannot be opened (${code ?? (err as Error).message})`, "point models.api_key_file at a readable regular file");
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) fail("is not a regular file", "point models.api_key_file at a regular file holding only the key");
    const uid = process.getuid?.();
    if (uid !== undefined && stat.uid !== uid) fail(`is owned by uid ${stat.uid}, not by this user (uid ${uid})`, `use a key file of your own: chown "$(id -un)" ${path} && chmod 600 ${path}`);
    if ((stat.mode & 0o077) !== 0) fail(`has mode ${(stat.mode & 0o777).toString(8).padStart(4, "0")}: other users can read or change it`, privateFix);
    const inside = insideRepository(path, repoRoot);
    if (inside !== null) fail(`is inside the git work tree ${inside}`, "move the key file out of every repository (a commit could pick it up), e.g. to ~/.config/pushpals/, and update models.api_key_file");
    if (stat.size > MAX_KEY_BYTES) fail(`is larger than ${MAX_KEY_BYTES / 1024} KiB: it should hold only the key`, "write only the key to the file");
    const buffer = Buffer.alloc(MAX_KEY_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > MAX_KEY_BYTES) fail(`is larger than ${MAX_KEY_BYTES / 1024} KiB: it should hold only the key`, "write only the key to the file");
    const value = buffer.subarray(0, length).toString("utf8").trim();
    buffer.fill(0);
    if (value === "") fail("is empty", `write the key to it: printf '%s' "$KEY" > ${path}`);
    checkKeyText(value, `the file ${path}`, "models.api_key_file");
    return { value, source: `file ${path}` };
  } finally {
    closeSync(fd);
  }
}

/** A key goes into one HTTP header: one line of printable characters, no spaces. */
function checkKeyText(value: string, where: string, field: string): void {
  if (/[\s\u0000-\u001f\u007f]/.test(value)) {
    throw new PushpalsError("config_invalid", `${where} holds more than a key (spaces, several lines or control characters)`, { field, hint: `${where} must hold only the key, on one line` });
  }
}

/** The git work tree (or git directory) the file lies in: the repository given, or any ancestor holding `.git`. */
function insideRepository(path: string, repoRoot: string | undefined): string | null {
  const real = safeRealpath(dirname(resolve(path)));
  if (repoRoot !== undefined) {
    const root = safeRealpath(resolve(repoRoot));
    const rel = relative(root, real);
    if (rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !rel.startsWith(sep))) return root;
  }
  for (let dir = real; ; dir = dirname(dir)) {
    if (existsSync(join(dir, ".git"))) return dir;
    if (dirname(dir) === dir) return null;
  }
}

function safeRealpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
