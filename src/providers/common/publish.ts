import type { RemotePr } from "./api.ts";
import type { RemoteConnection } from "./api.ts";

export interface PublishRequest {
  headBranch: string;
  headSha: string;
  baseBranch: string;
  title: string;
  body: string;
  expectedRemoteSha: string | null;
}

/** Pushes the exact head (a compare-and-swap on the remote branch) and opens or updates its PR on the host. */
export async function publishPr(providerId: string, remote: RemoteConnection, repoRoot: string, pr: PublishRequest, log: (line: string) => void): Promise<RemotePr> {
  const push = await remote.push(repoRoot, { branch: pr.headBranch, sha: pr.headSha, expectedRemoteSha: pr.expectedRemoteSha });
  log(`${push.upToDate ? "already pushed" : "pushed"} ${pr.headBranch} at ${pr.headSha.slice(0, 12)} to ${push.remoteUrl}`);
  if (push.anchor?.ok) log(`audit anchor #${push.anchor.seq} pushed (refs/pushpals/audit)`);
  if (push.anchor && !push.anchor.ok) {
    log(`WARNING: the remote refused the audit anchor #${push.anchor.seq} (${push.anchor.summary}): its copy is not an ancestor of the local one, so the local audit log may have been rewritten; run \`pushpals audit verify\``);
  }
  const ref = await remote.host.openOrUpdate({ head: pr.headBranch, base: pr.baseBranch, title: pr.title, body: pr.body, headSha: pr.headSha });
  log(`${remote.label} PR #${ref.number}: ${ref.url}`);
  return { provider: providerId, number: ref.number, url: ref.url, pushedSha: pr.headSha };
}
