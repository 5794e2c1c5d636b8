import { JobFailure } from "../../core/job-failure.ts";
import { VERSION } from "../../core/version.ts";
import type { RemoteConnection, RemoteProvider } from "../common/api.ts";
import { GithubIssues } from "./github-issues.ts";
import { GithubProvider } from "./github-provider.ts";
import { GithubConfig, githubTarget, pushProtocols } from "./github-settings.ts";
import { resolveGithubToken } from "./github-token.ts";
import { AUDIT_REF, readAnchor } from "../../scm/audit-ref.ts";
import { pushBranch } from "./push-branch.ts";

/**
 * GitHub (and GitHub Enterprise Server). The token is resolved in `connect`, in the SourceControlManager,
 * at the moment it is needed (env or `gh auth token`); it goes only to GitHub's API and to git as a
 * header for the push URL, never into a sandbox, a log line, an event or the audit trail.
 */
export const githubRemote: RemoteProvider = {
  async connect(section: unknown): Promise<RemoteConnection> {
    const config = GithubConfig.parse(section);
    if (!config.repository) {
      throw new JobFailure("invalid_input", 'pr.provider is "github" but github.repository is not set', {
        logExcerpt: 'add to .pushpals/config.toml:\n[github]\nrepository = "owner/name"',
      });
    }
    const target = githubTarget({ ...config, repository: config.repository });
    // gh's login for the host the API is on, never github.com's token for another host.
    const { token } = await resolveGithubToken({ env: process.env, ghHost: ghHostOf(target.apiUrl) });
    const client = {
      owner: target.owner,
      repo: target.repo,
      token,
      apiUrl: target.apiUrl,
      userAgent: `pushpals/${VERSION}`,
      timeoutMs: config.request_timeout_seconds * 1000,
    };
    return {
      label: "GitHub",
      host: new GithubProvider(client),
      issues: new GithubIssues(client, config.issue_labels),
      mergeMethod: config.merge_method,
      async push(repoRoot, head) {
        // The audit anchor goes with every PR branch: the remote keeps a copy the local log is checked against.
        const anchor = await readAnchor(repoRoot);
        const pushed = await pushBranch({
          repoRoot,
          remoteUrl: target.remoteUrl,
          branch: head.branch,
          sha: head.sha,
          expectedRemoteSha: head.expectedRemoteSha,
          token: target.remoteUrl.startsWith("file:") ? null : token,
          allowProtocols: pushProtocols(target.remoteUrl),
          alsoFastForward: anchor ? { ref: AUDIT_REF, sha: anchor.commit } : null,
        });
        return { upToDate: pushed.upToDate, remoteUrl: target.remoteUrl, ...(pushed.anchor ? { anchor: { ...pushed.anchor, seq: anchor?.seq ?? 0 } } : {}) };
      },
    };
  },
};

/** The host gh keeps a login for: `api.github.com` is `github.com`'s API; an Enterprise API is on its own host. */
export function ghHostOf(apiUrl: string): string {
  const host = new URL(apiUrl).host;
  return host === "api.github.com" ? "github.com" : host;
}
