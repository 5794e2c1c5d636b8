import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { isPushpalsError, type PushpalsError } from "../core/errors.ts";
import { MAX_KEY_BYTES, readModelKey } from "./model-key.ts";

const dir = tempDir("pushpals-model-key-");
afterAll(() => dir.cleanup());

const KEY = "sk-test-0123456789abcdefghijklmnop";
let n = 0;

/** A key file with `content` and `mode`, in a directory of its own under the temp dir (outside any repository). */
function keyFile(content: string | Buffer, mode = 0o600): string {
  const sub = join(dir.path, `k${n++}`);
  mkdirSync(sub);
  const path = join(sub, "model.key");
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

const fromFile = (path: string, repoRoot?: string) => readModelKey({ api_key_env: null, api_key_file: path }, repoRoot === undefined ? {} : { repoRoot });

function refusal(fn: () => unknown): PushpalsError {
  try {
    fn();
  } catch (err) {
    if (isPushpalsError(err, "config_invalid")) {
      expect(err.message).not.toContain(KEY);
      expect(err.hint ?? "").not.toContain(KEY);
      return err;
    }
    throw err;
  }
  throw new Error("expected the key to be refused");
}

describe("readModelKey from the environment", () => {
  test("the variable's value, trimmed, and where it came from", () => {
    expect(readModelKey({ api_key_env: "MODEL_KEY", api_key_file: null }, { env: { MODEL_KEY: ` ${KEY}\n` } })).toEqual({ value: KEY, source: "env MODEL_KEY" });
  });

  test("no key named at all: null (a local server that needs none)", () => {
    expect(readModelKey({ api_key_env: null, api_key_file: null }, { env: { OPENAI_API_KEY: KEY } })).toBeNull();
  });

  test("unset or empty: config_invalid naming the variable and how to set it", () => {
    for (const env of [{}, { MODEL_KEY: "" }, { MODEL_KEY: "  \n" }]) {
      const err = refusal(() => readModelKey({ api_key_env: "MODEL_KEY", api_key_file: null }, { env }));
      expect(err.field).toBe("models.api_key_env");
      expect(err.message).toContain("MODEL_KEY");
      expect(err.message).toContain("not set");
      expect(err.hint).toContain("export MODEL_KEY=");
    }
  });

  test("a value with spaces or several lines is refused without showing it", () => {
    const err = refusal(() => readModelKey({ api_key_env: "MODEL_KEY", api_key_file: null }, { env: { MODEL_KEY: `${KEY}\nsecond line` } }));
    expect(err.message).toContain("holds more than a key");
  });

  test("the default environment is this process's", () => {
    process.env.PUSHPALS_TEST_MODEL_KEY_X = KEY;
    try {
      expect(readModelKey({ api_key_env: "PUSHPALS_TEST_MODEL_KEY_X", api_key_file: null })?.value).toBe(KEY);
    } finally {
      delete process.env.PUSHPALS_TEST_MODEL_KEY_X;
    }
  });
});

describe("readModelKey from a file", () => {
  test("a private regular file of this user: its content, trimmed", () => {
    const path = keyFile(`${KEY}\n`);
    expect(fromFile(path)).toEqual({ value: KEY, source: `file ${path}` });
    expect(fromFile(keyFile(KEY, 0o400))?.value).toBe(KEY);
  });

  test("mode 0644 (or any group or other bit) is refused, naming the mode and chmod 600", () => {
    for (const mode of [0o644, 0o640, 0o604, 0o660]) {
      const path = keyFile(KEY, mode);
      const err = refusal(() => fromFile(path));
      expect(err.field).toBe("models.api_key_file");
      expect(err.message).toContain(`has mode 0${mode.toString(8)}`);
      expect(err.hint).toContain(`chmod 600 ${path}`);
    }
  });

  test("a symlink to a private key file is refused", () => {
    const target = keyFile(KEY);
    const link = join(dir.path, `link-${n++}.key`);
    symlinkSync(target, link);
    const err = refusal(() => fromFile(link));
    expect(err.message).toContain("is a symbolic link");
  });

  test("a directory, a FIFO, a missing file are refused (and the FIFO does not hang)", () => {
    const sub = join(dir.path, `d${n++}`);
    mkdirSync(sub, { mode: 0o700 });
    expect(refusal(() => fromFile(sub)).message).toContain("is not a regular file");
    const fifo = join(dir.path, `fifo-${n++}`);
    expect(Bun.spawnSync(["mkfifo", "-m", "600", fifo]).exitCode).toBe(0);
    expect(refusal(() => fromFile(fifo)).message).toContain("is not a regular file");
    expect(refusal(() => fromFile(join(dir.path, "nope.key"))).message).toContain("does not exist");
  });

  test.skipIf(process.getuid?.() !== 0)("a file owned by another user is refused (as root: chown to nobody)", () => {
    const path = keyFile(KEY);
    chownSync(path, 65534, 65534);
    const err = refusal(() => fromFile(path));
    expect(err.message).toContain("is owned by uid 65534, not by this user (uid 0)");
  });

  test("inside the repository, or inside any git work tree, is refused", () => {
    const repo = join(dir.path, `repo-${n++}`);
    mkdirSync(join(repo, ".git", "pushpals"), { recursive: true });
    mkdirSync(join(repo, "config"));
    for (const path of [join(repo, "config", "model.key"), join(repo, ".git", "pushpals", "model.key")]) {
      writeFileSync(path, KEY, { mode: 0o600 });
      const err = refusal(() => fromFile(path));
      expect(err.message).toContain(`is inside the git work tree ${repo}`);
    }
    // The repository named explicitly needs no .git to be recognised.
    const plain = join(dir.path, `plain-${n++}`);
    mkdirSync(plain);
    writeFileSync(join(plain, "model.key"), KEY, { mode: 0o600 });
    expect(refusal(() => fromFile(join(plain, "model.key"), plain)).message).toContain("inside the git work tree");
    expect(fromFile(join(plain, "model.key"), join(dir.path, "elsewhere"))?.value).toBe(KEY);
  });

  test("empty, more than 8 KiB, or more than one line: refused without showing the content", () => {
    expect(refusal(() => fromFile(keyFile("\n\n"))).message).toContain("is empty");
    expect(refusal(() => fromFile(keyFile("x".repeat(MAX_KEY_BYTES + 1)))).message).toContain("larger than 8 KiB");
    expect(fromFile(keyFile("x".repeat(MAX_KEY_BYTES)))?.value).toHaveLength(MAX_KEY_BYTES);
    const err = refusal(() => fromFile(keyFile(`${KEY}\nOTHER=${KEY}\n`)));
    expect(err.message).toContain("holds more than a key");
  });
});
