import { expect, test } from "bun:test";
import { chmodSync, chownSync, mkdirSync, statSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { ensurePrivateDir } from "./private-dir.ts";

test("the runtime directory is made 0700, and an open one of ours is tightened", () => {
  const dir = tempDir();
  try {
    const made = join(dir.path, "made");
    ensurePrivateDir(made);
    expect(statSync(made).mode & 0o777).toBe(0o700);
    const open = join(dir.path, "open");
    mkdirSync(open);
    chmodSync(open, 0o777);
    ensurePrivateDir(open);
    expect(statSync(open).mode & 0o777).toBe(0o700);
  } finally {
    dir.cleanup();
  }
});

test("a symlink, or a directory another user owns, is refused: they could swap the socket, the key or server.json", () => {
  const dir = tempDir();
  try {
    const target = join(dir.path, "elsewhere");
    mkdirSync(target);
    const link = join(dir.path, "pushpals");
    symlinkSync(target, link);
    expect(() => ensurePrivateDir(link)).toThrow("is a symbolic link");
    if (process.getuid?.() !== 0) return;
    const theirs = join(dir.path, "theirs");
    mkdirSync(theirs);
    chmodSync(theirs, 0o777);
    chownSync(theirs, 65534, 65534);
    expect(() => ensurePrivateDir(theirs)).toThrow("owned by uid 65534, not this user");
    expect(statSync(theirs).mode & 0o777).toBe(0o777);
  } finally {
    dir.cleanup();
  }
});
