import type { PushpalsConfig } from "../../config/schema.ts";
import type { RemotePr } from "../../prs/pr-types.ts";
import { GithubProvider } from "../../prs/github/github-provider.ts";
import { githubTarget, pushProtocols, type GithubTarget } from "../../prs/github/github-settings.ts";
import { resolveGithubToken } from "../../prs/github/github-token.ts";
import { pushBranch } from "../../prs/github/push-branch.ts";
import { VERSION } from "../../server/version.ts";
import { JobFailure } from "../../core/job-failure.ts";
import { type JobContext } from "../../workers/handler.ts";

export interface GithubRemote {
  provider: GithubProvider;
  target: GithubTarget;
  token: string;
  mergeMethod: PushpalsConfig["github"]["merge_method"];
}

/**
 * The `github` provider for one job. The token is resolved here, in the SourceControlManager, at the
 * moment it is needed (env or `gh auth token`); it goes only to GitHub's API and to git as a header
 * for the push URL, never into a sandbox, a log line, an event or the audit trail.
 */
export async function githubRemote(config: PushpalsConfig["github"]): Promise<GithubRemote> {
  if (!config.repository) {
    throw new JobFailure("invalid_input", 'pr.provider is "github" but github.repository is not set', {
      logExcerpt: 'add to .pushpals/config.toml:\n[github]\nrepository = "owner/name"',
    });
  }
  const target = githubTarget({ ...config, repository: config.repository });
  const { token } = await resolveGithubToken({ env: process.env });
  const provider = new GithubProvider({
    owner: target.owner,
    repo: target.repo,
    token,
    apiUrl: target.apiUrl,
    userAgent: `pushpals/${VERSION}`,
    timeoutMs: config.request_timeout_seconds * 1000,
  });
  return { provider, target, token, mergeMethod: config.merge_method };
}

export interface PublishRequest {
  headBranch: string;
  headSha: string;
  baseBranch: string;
  title: string;
  body: string;
  expectedRemoteSha: string | null;
}

/** Pushes the exact head (a compare-and-swap on the remote branch) and opens or updates its PR. */
export async function publishPr(ctx: JobContext, remote: GithubRemote, pr: PublishRequest): Promise<RemotePr> {
  const push = await pushBranch({
    repoRoot: ctx.paths.repoRoot,
    remoteUrl: remote.target.remoteUrl,
    branch: pr.headBranch,
    sha: pr.headSha,
    expectedRemoteSha: pr.expectedRemoteSha,
    token: remote.target.remoteUrl.startsWith("file:") ? null : remote.token,
    allowProtocols: pushProtocols(remote.target.remoteUrl),
  });
  ctx.log("system", `${push.upToDate ? "already pushed" : "pushed"} ${pr.headBranch} at ${pr.headSha.slice(0, 12)} to ${remote.target.remoteUrl}`);
  const ref = await remote.provider.openOrUpdate({ head: pr.headBranch, base: pr.baseBranch, title: pr.title, body: pr.body, headSha: pr.headSha });
  ctx.log("system", `GitHub PR #${ref.number}: ${ref.url}`);
  return { provider: "github", number: ref.number, url: ref.url, pushedSha: pr.headSha };
}
