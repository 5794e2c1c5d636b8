import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { cacheKey, findNodeModules, readManifest, restoreEntry, storeEntry, verifyEntry } from "./cache.ts";

const store = (cache: string, key: string, dir: string) => storeEntry(cache, key, dir, findNodeModules(dir));
import { canShareReadOnlyFiles, copyTree } from "./copy-tree.ts";

const root = tempDir("pushpals-deps-cache-");
afterAll(() => root.cleanup());

let n = 0;
/** A worktree with an installed-looking node_modules (a file, a .bin symlink) and a workspace's own. */
function worktree(): string {
  const dir = join(root.path, `wt${++n}`);
  mkdirSync(join(dir, "node_modules/left-pad/bin"), { recursive: true });
  mkdirSync(join(dir, "node_modules/.bin"), { recursive: true });
  mkdirSync(join(dir, "packages/app/node_modules/local"), { recursive: true });
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "node_modules/left-pad/index.js"), "module.exports = (s) => s;\n");
  writeFileSync(join(dir, "node_modules/left-pad/bin/cli.js"), "#!/usr/bin/env node\n", { mode: 0o755 });
  symlinkSync("../left-pad/bin/cli.js", join(dir, "node_modules/.bin/left-pad"));
  writeFileSync(join(dir, "packages/app/node_modules/local/index.js"), "module.exports = 1;\n");
  writeFileSync(join(dir, "src/index.js"), "\n");
  return dir;
}

function emptyDir(): string {
  const dir = join(root.path, `empty${++n}`);
  mkdirSync(dir);
  return dir;
}

describe("the dependency cache", () => {
  test("keys: stable, order-independent, and any part changes them", () => {
    const a = cacheKey("npm", { pmVersion: "11.0.0", lockfileSha256: "aa", allowScripts: false });
    expect(a).toMatch(/^npm-[0-9a-f]{40}$/);
    expect(cacheKey("npm", { allowScripts: false, lockfileSha256: "aa", pmVersion: "11.0.0" })).toBe(a);
    expect(cacheKey("npm", { pmVersion: "11.0.0", lockfileSha256: "ab", allowScripts: false })).not.toBe(a);
    expect(cacheKey("npm", { pmVersion: "11.0.0", lockfileSha256: "aa", allowScripts: true })).not.toBe(a);
  });

  test("finds the root and workspace node_modules, never nested ones or .git", () => {
    const dir = worktree();
    mkdirSync(join(dir, ".git/node_modules"), { recursive: true });
    expect(findNodeModules(dir)).toEqual(["node_modules", "packages/app/node_modules"]);
  });

  test("store then restore: hard links to read-only files, symlinks kept, a complete manifest", async () => {
    const cache = join(root.path, "cache-a");
    const source = worktree();
    expect(await storeEntry(cache, "k1", source, findNodeModules(source))).toBe("stored");
    const manifest = readManifest(cache, "k1")!;
    expect(manifest.dirs).toEqual(["node_modules", "packages/app/node_modules"]);
    expect(readdirSync(cache)).toEqual(["k1"]);
    const cached = join(cache, "k1/node_modules/left-pad/index.js");
    expect(statSync(cached).mode & 0o222).toBe(0);
    expect(statSync(join(cache, "k1/node_modules/left-pad/bin/cli.js")).mode & 0o777).toBe(0o555);

    const target = emptyDir();
    const shared = canShareReadOnlyFiles();
    expect(await restoreEntry(cache, manifest, target)).toBe(shared ? "linked" : "copied");
    const restored = join(target, "node_modules/left-pad/index.js");
    // Hard links only where read-only bits protect them (not as root): otherwise a private copy.
    if (shared) expect(statSync(restored).ino).toBe(statSync(cached).ino);
    else expect(statSync(restored).ino).not.toBe(statSync(cached).ino);
    expect(readlinkSync(join(target, "node_modules/.bin/left-pad"))).toBe("../left-pad/bin/cli.js");
    expect(readFileSync(join(target, "node_modules/.bin/left-pad"), "utf8")).toContain("node");
    expect(existsSync(join(target, "packages/app/node_modules/local/index.js"))).toBe(true);
    // The worktree's directories are its own: a job can add files without touching the cache.
    writeFileSync(join(target, "node_modules/.cache-file"), "x");
    expect(existsSync(join(cache, "k1/node_modules/.cache-file"))).toBe(false);
    expect(verifyEntry(cache, manifest)).toBe(true);
  });

  // As root (this suite in a container), the write is tried as `nobody`, owner of the files: only a-w stops it.
  const asRoot = process.getuid?.() === 0;
  // Only where files are shared at all: as root every restore is a private copy (see copy-tree.ts).
  test.skipIf(!canShareReadOnlyFiles())("a job writing into a shared file fails loudly instead of corrupting the cache", async () => {
    const cache = join(root.path, "cache-ro");
    const source = worktree();
    const target = emptyDir();
    if (asRoot) {
      chmodSync(root.path, 0o755);
      for (const dir of [source, target]) Bun.spawnSync(["chown", "-R", "65534:65534", dir]);
    }
    await storeEntry(cache, "k", source, findNodeModules(source));
    await restoreEntry(cache, readManifest(cache, "k")!, target);
    const write = (file: string) => {
      const argv = ["sh", "-c", 'echo evil > "$1"', "sh", file];
      const r = Bun.spawnSync(asRoot ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ...argv] : argv, { stderr: "pipe" });
      return { ok: r.exitCode === 0, stderr: r.stderr.toString() };
    };
    const shared = write(join(target, "node_modules/left-pad/index.js"));
    expect(shared.ok).toBe(false);
    expect(shared.stderr).toMatch(/permission denied/i);
    expect(readFileSync(join(cache, "k/node_modules/left-pad/index.js"), "utf8")).toBe("module.exports = (s) => s;\n");
    // The same user can still add files: the worktree's directories are its own.
    expect(write(join(target, "node_modules/left-pad/new.js")).ok).toBe(true);
    expect(existsSync(join(cache, "k/node_modules/left-pad/new.js"))).toBe(false);
  });

  test("an entry changed after it was stored is evicted, never handed out", async () => {
    const cache = join(root.path, "cache-b");
    await store(cache, "k", worktree());
    const target = emptyDir();
    const manifest = readManifest(cache, "k")!;
    await restoreEntry(cache, manifest, target);
    // However it happened (root ignores a-w; anyone can chmod a file back), the entry changed.
    const file = join(cache, "k/node_modules/left-pad/index.js");
    Bun.spawnSync(["chmod", "u+w", file]);
    writeFileSync(file, "module.exports = 'corrupted';\n");
    expect(verifyEntry(cache, manifest)).toBe(false);
    expect(readManifest(cache, "k")).toBeNull();
    expect(readdirSync(cache)).toEqual([]);
  });

  test("concurrent stores of one key: one complete entry, no temp dirs left, every caller fine", async () => {
    const cache = join(root.path, "cache-c");
    const sources = [worktree(), worktree(), worktree(), worktree()];
    const outcomes = await Promise.all(sources.map((s) => storeEntry(cache, "same", s, findNodeModules(s))));
    expect(outcomes.filter((o) => o === "stored")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "raced")).toHaveLength(3);
    expect(readdirSync(cache)).toEqual(["same"]);
    expect(verifyEntry(cache, readManifest(cache, "same")!)).toBe(true);
  });

  test("a project without dependencies is cached as an empty entry; Yarn PnP is not cached", async () => {
    const cache = join(root.path, "cache-d");
    expect(await store(cache, "none", emptyDir())).toBe("stored");
    const manifest = readManifest(cache, "none")!;
    expect(manifest.dirs).toEqual([]);
    expect(verifyEntry(cache, manifest)).toBe(true);
    expect(await restoreEntry(cache, manifest, emptyDir())).toBe("linked"); // nothing to copy
    const pnp = emptyDir();
    writeFileSync(join(pnp, ".pnp.cjs"), "");
    expect(await storeEntry(cache, "pnp", pnp, findNodeModules(pnp))).toBe("pnp");
    expect(readManifest(cache, "pnp")).toBeNull();
  });

  const shm = "/dev/shm";
  const crossDevice = existsSync(shm) && statSync(shm).dev !== statSync(root.path).dev;
  test.skipIf(!crossDevice)("across filesystems the copy is a private, writable one", async () => {
    const src = join(shm, `pushpals-copy-${process.pid}`);
    mkdirSync(join(src, "pkg"), { recursive: true });
    writeFileSync(join(src, "pkg/index.js"), "1\n", { mode: 0o444 });
    symlinkSync("pkg/index.js", join(src, "link"));
    const dst = join(root.path, "copied");
    try {
      expect(await copyTree(src, dst)).toBe("copied");
      expect(statSync(join(dst, "pkg/index.js")).ino).not.toBe(statSync(join(src, "pkg/index.js")).ino);
      expect(statSync(join(dst, "pkg/index.js")).mode & 0o200).toBe(0o200);
      expect(lstatSync(join(dst, "link")).isSymbolicLink()).toBe(true);
    } finally {
      Bun.spawnSync(["rm", "-rf", src]);
    }
  });

  test("a copy that cannot be made says why, for both attempts", async () => {
    await expect(copyTree(join(root.path, "does-not-exist"), join(root.path, "nowhere"))).rejects.toThrow(/hard links failed .* plain copy failed too/);
  });
});

test("a manifest that points outside the entry is refused", async () => {
  const cache = join(root.path, "cache-evil");
  await store(cache, "k", worktree());
  const path = join(cache, "k/manifest.json");
  const manifest = JSON.parse(readFileSync(path, "utf8"));
  chmodSync(path, 0o644);
  writeFileSync(path, JSON.stringify({ ...manifest, dirs: ["../../../etc/node_modules"] }));
  expect(readManifest(cache, "k")).toBeNull();
});
