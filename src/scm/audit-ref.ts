import { PushpalsError } from "../core/errors.ts";
import { isSha } from "../core/sha.ts";
import { DEFAULT_AGENT_IDENTITY } from "./commit.ts";
import { git, gitBytes } from "./git.ts";

/** The audit log's anchor: a commit whose tree holds the log's head; its first-parent history is the history of heads. */
export const AUDIT_REF = "refs/pushpals/audit";
const HEAD_FILE = "head.json";

export interface AuditAnchor {
  commit: string;
  seq: number;
  hash: string;
  /** When the anchor was written (ms). */
  at: number;
}

/** The anchor the ref points at, or null when there is none yet. */
export async function readAnchor(repoRoot: string): Promise<AuditAnchor | null> {
  const r = await git(["rev-parse", "--verify", "--quiet", `${AUDIT_REF}^{commit}`], { cwd: repoRoot, allowFailure: true });
  const commit = r.stdout.trim();
  if (r.exitCode !== 0 || !isSha(commit)) return null;
  const [anchor] = await readAnchorsAt(repoRoot, [commit]);
  return anchor ?? null;
}

/** Every anchor in the ref's first-parent history, newest first (at most `limit`). */
export async function readAnchorHistory(repoRoot: string, limit = 1_000_000): Promise<AuditAnchor[]> {
  const r = await git(["rev-list", "--first-parent", `--max-count=${limit}`, AUDIT_REF, "--"], { cwd: repoRoot, allowFailure: true });
  if (r.exitCode !== 0) return [];
  return readAnchorsAt(repoRoot, r.stdout.split("\n").filter(isSha));
}

async function readAnchorsAt(repoRoot: string, commits: string[]): Promise<AuditAnchor[]> {
  if (commits.length === 0) return [];
  const out = (await gitBytes(["cat-file", "--batch"], { cwd: repoRoot, stdin: commits.map((c) => `${c}:${HEAD_FILE}\n`).join("") })).stdout;
  const decoder = new TextDecoder();
  const anchors: AuditAnchor[] = [];
  let at = 0;
  for (const commit of commits) {
    const nl = out.indexOf(10, at);
    const header = decoder.decode(out.subarray(at, nl)).split(" ");
    if (nl < 0 || header[1] !== "blob") {
      throw new PushpalsError("audit_broken", `the audit anchor ${commit.slice(0, 12)} (${AUDIT_REF}) holds no ${HEAD_FILE}`, { hint: "the anchor ref was rewritten by hand; compare it with the copy pushed to the PR remote" });
    }
    const size = Number(header[2]);
    anchors.push({ commit, ...parseHead(commit, decoder.decode(out.subarray(nl + 1, nl + 1 + size))) });
    at = nl + 1 + size + 1;
  }
  return anchors;
}

function parseHead(commit: string, text: string): { seq: number; hash: string; at: number } {
  try {
    const value = JSON.parse(text) as { seq?: unknown; hash?: unknown; at?: unknown };
    if (Number.isInteger(value.seq) && typeof value.hash === "string" && /^[0-9a-f]{64}$/.test(value.hash)) {
      return { seq: value.seq as number, hash: value.hash, at: Number.isInteger(value.at) ? (value.at as number) : 0 };
    }
  } catch {
    // Reported below.
  }
  throw new PushpalsError("audit_broken", `the audit anchor ${commit.slice(0, 12)} holds a malformed ${HEAD_FILE}`, { hint: "the anchor ref was rewritten by hand; compare it with the copy pushed to the PR remote" });
}

/**
 * Appends an anchor for `head` on top of `parent` (the commit the ref is at, or null for the first)
 * and moves the ref only if it is still at `parent` (CAS): returns the new commit, or null when the
 * ref moved meanwhile.
 */
export async function writeAnchor(repoRoot: string, head: { seq: number; hash: string; at: number }, parent: string | null): Promise<string | null> {
  const opts = { cwd: repoRoot };
  const body = `${JSON.stringify({ seq: head.seq, hash: head.hash, at: head.at })}\n`;
  const blob = (await git(["hash-object", "-w", "--stdin"], { ...opts, stdin: body })).stdout.trim();
  const tree = (await git(["mktree"], { ...opts, stdin: `100644 blob ${blob}\t${HEAD_FILE}\n` })).stdout.trim();
  const message = `audit #${head.seq} ${head.hash}\n`;
  const commit = (await git(["commit-tree", "--no-gpg-sign", tree, ...(parent ? ["-p", parent] : []), "-F", "-"], { ...opts, identity: DEFAULT_AGENT_IDENTITY, stdin: message })).stdout.trim();
  const moved = await git(["update-ref", "-m", `pushpals: audit #${head.seq}`, AUDIT_REF, commit, parent ?? ""], { ...opts, allowFailure: true });
  if (moved.exitCode === 0) return commit;
  // Only a ref that is no longer at `parent` is a lost race; anything else (a stale lock, a full disk) is an error.
  const now = await git(["rev-parse", "--verify", "--quiet", AUDIT_REF], { ...opts, allowFailure: true });
  if (now.stdout.trim() !== (parent ?? "")) return null;
  throw new PushpalsError("git_failed", `git update-ref ${AUDIT_REF} failed: ${moved.stderr.trim() || `exit ${moved.exitCode}`}`, {
    hint: `a stale ${AUDIT_REF}.lock in the git directory is removed by hand once no PushPals server runs`,
  });
}
