import { PushpalsError } from "../core/errors.ts";
import { gitBytes } from "./git.ts";

/**
 * Blob bodies by object id, in one `git cat-file --batch` call, read from the object store (never a
 * working tree). `keep` says whether a blob of that size is kept (the others are read past, not stored).
 */
export async function readBlobBatch(repoRoot: string, oids: readonly string[], keep: (size: number) => boolean = () => true): Promise<Map<string, Uint8Array>> {
  const bodies = new Map<string, Uint8Array>();
  if (oids.length === 0) return bodies;
  const out = (await gitBytes(["cat-file", "--batch"], { cwd: repoRoot, stdin: `${oids.join("\n")}\n`, timeoutMs: 120_000 })).stdout;
  const decoder = new TextDecoder();
  let at = 0;
  while (at < out.length) {
    const nl = out.indexOf(10, at);
    if (nl < 0) break;
    const [oid, type, size] = decoder.decode(out.subarray(at, nl)).split(" ");
    if (!oid || type === "missing" || !size) throw new PushpalsError("git_failed", `git cat-file --batch: object ${oid ?? "?"} is missing`, { hint: "the repository may be damaged: git fsck" });
    const n = Number(size);
    if (type === "blob" && keep(n)) bodies.set(oid, out.subarray(nl + 1, nl + 1 + n));
    at = nl + 1 + n + 1;
  }
  return bodies;
}
