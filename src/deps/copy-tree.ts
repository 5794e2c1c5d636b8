import { rmSync } from "node:fs";

/**
 * Copies a directory tree: hard links (`cp -al`, no data copied) when `src` and `dst` are on one
 * filesystem, else a plain recursive copy made writable (it is private to `dst`, nothing is shared).
 * Hard links share files, which is only safe because cached files are read-only, and root ignores
 * read-only bits: as root (the usual CI container) the tree is always copied (`--reflink=auto`
 * makes that a cheap copy-on-write clone where the filesystem supports it).
 * Symlinks are copied as symlinks (relative ones, like `.bin/*`, keep working at the new place).
 * `dst` must not exist; on failure it is removed and the error says both attempts.
 */
export async function copyTree(src: string, dst: string): Promise<"linked" | "copied"> {
  const linked = canShareReadOnlyFiles() ? await run(["cp", "-al", src, dst]) : { ok: false, stderr: "not linking as root" };
  if (linked.ok) return "linked";
  rmSync(dst, { recursive: true, force: true });
  const copied = await run(["cp", "-a", "--reflink=auto", src, dst]);
  if (copied.ok) {
    // The source may be a read-only cache entry; a private copy can be written freely.
    await run(["chmod", "-R", "u+w", dst]);
    return "copied";
  }
  rmSync(dst, { recursive: true, force: true });
  throw new Error(
    `could not copy ${src} to ${dst}: hard links failed (${linked.stderr || "no output"}) and a plain copy failed too ` +
      `(${copied.stderr || "no output"}); check free disk space and permissions on both paths`,
  );
}

/** Read-only files protect a shared inode only from a non-root user. */
export function canShareReadOnlyFiles(): boolean {
  return process.getuid?.() !== 0;
}

async function run(argv: string[]): Promise<{ ok: boolean; stderr: string }> {
  const child = Bun.spawn(argv, { stdin: "ignore", stdout: "ignore", stderr: "pipe", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C" } });
  const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
  return { ok: code === 0, stderr: stderr.trim().split("\n").slice(0, 3).join("; ") };
}
