import { z } from "zod";
import { Sha } from "../../core/sha.ts";

const ProviderName = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/);

/** The PR's twin on a remote provider, as the last `publish` job left it. */
export const RemotePr = z.object({
  /** The provider's id (`pr.provider`). */
  provider: ProviderName,
  number: z.number().int().positive(),
  url: z.string(),
  pushedSha: Sha,
});
export type RemotePr = z.infer<typeof RemotePr>;

export const MergeMethod = z.enum(["merge", "squash", "rebase"]);
export type MergeMethod = z.infer<typeof MergeMethod>;

export interface RemotePrRequest {
  /** The head branch, in the same repository (e.g. `pushpals/<job-id>`). */
  head: string;
  base: string;
  title: string;
  body: string;
  /** The commit just pushed to `head`. */
  headSha: string;
}

export interface RemotePrRef {
  number: number;
  url: string;
  /** The head commit the host reports; right after a push it can briefly still be the previous one. */
  headSha: string;
}

export interface RemotePrState {
  state: "open" | "closed";
  merged: boolean;
  headSha: string;
  /** null while the host is still computing it. */
  mergeable: boolean | null;
}

/** What a remote provider's push of a PR head reports. */
export interface PushedHead {
  upToDate: boolean;
  /** Where it went, without credentials (for the log). */
  remoteUrl: string;
  /** The audit anchor pushed with it (refs/pushpals/audit at #seq): refused when the remote's copy is not an ancestor. */
  anchor?: { ok: boolean; seq: number; summary: string };
}

/**
 * An open issue as the labelled-backlog scan returns it. Anyone on the internet writes its title and
 * body: each field is bounded here, and the text is only ever data (never a command, path or scope).
 */
export const RemoteIssue = z.strictObject({
  number: z.number().int().positive(),
  title: z.string().max(300),
  /** The issue's page on the host. */
  url: z.string().max(500),
  /** Every label the issue carries, as the host names them. */
  labels: z.array(z.string().max(64)).max(32),
  /** The start of the body. */
  excerpt: z.string().max(500),
});
export type RemoteIssue = z.infer<typeof RemoteIssue>;

/** What one scan of the labelled open issues found; `complete` is false when a bound stopped it before the end. */
export interface RemoteIssueList {
  issues: RemoteIssue[];
  complete: boolean;
}

/** A host's issue tracker, as the labelled backlog reads it (the SourceControlManager's `issues-scan` job). */
export interface RemoteIssueTracker {
  /** "owner/name": part of each item's dedupe key. */
  readonly repository: string;
  /** The configured labels (`[<provider>] issue_labels`); empty: the source is off. */
  readonly labels: readonly string[];
  /** The open issues (never pull requests) carrying any of `labels`, at most `max`, their JSON within `maxBytes`. */
  listOpenIssues(bounds: { max: number; maxBytes: number }): Promise<RemoteIssueList>;
}

/** One job's connection to a remote host: its PR API, its push, and how it merges. */
export interface RemoteConnection {
  /** The host's name in the job's log lines ("GitHub PR #3: ..."). */
  label: string;
  host: RemotePrProvider;
  /** Its issues, when the host has an issue tracker the labelled backlog reads. */
  issues?: RemoteIssueTracker;
  mergeMethod: MergeMethod;
  /** Pushes exactly `sha` to `branch` on the host, a compare-and-swap against `expectedRemoteSha` (null: must not exist). */
  push(repoRoot: string, head: { branch: string; sha: string; expectedRemoteSha: string | null }): Promise<PushedHead>;
}

/** A remote provider's implementation: the module that needs its client library (Octokit for GitHub). */
export interface RemoteProvider {
  connect(section: unknown): Promise<RemoteConnection>;
}

/** How a provider plug-in names its remote side: a dynamic `import()` of the implementation, run on first use. */
export interface RemoteProviderLoader {
  load(): Promise<RemoteProvider>;
}

export interface RemoteProviderDefinition extends RemoteProviderLoader {
  /** Loads the implementation (once per process), then connects with it. */
  connect(section: unknown): Promise<RemoteConnection>;
}

/**
 * A PR provider plug-in (`pr.provider` names one by id). A local provider's PRs live only in the
 * PushPals database (`remote: null`); a remote one also publishes each head to a host and merges there.
 * The definition is light (the registry and the config schema import it in every process); `connect`
 * loads the implementation, gets the provider's own config section (`[<id>]`) and resolves any
 * credential itself, in the SourceControlManager only, at the moment it is needed.
 */
export interface PrProviderDefinition<Id extends string = string> {
  id: Id;
  remote: RemoteProviderDefinition | null;
}

export function defineProvider<Id extends string>(plugin: { id: Id; remote: RemoteProviderLoader | null }): PrProviderDefinition<Id> {
  return { id: plugin.id, remote: plugin.remote ? lazyRemote(plugin.remote) : null };
}

function lazyRemote(loader: RemoteProviderLoader): RemoteProviderDefinition {
  let loading: Promise<RemoteProvider> | null = null;
  const load = (): Promise<RemoteProvider> => {
    // A failed import is not kept: the next job tries again.
    loading ??= loader.load().catch((err: unknown) => {
      loading = null;
      throw err;
    });
    return loading;
  };
  return { load, connect: async (section) => (await load()).connect(section) };
}

/**
 * A pull request host the SourceControlManager drives. Every method throws a JobFailure (a
 * GithubError for GitHub) whose class says what to do: `conflict` (head moved, not mergeable),
 * `invalid_input`, `policy_denied`, `environment`/`timeout` (retryable).
 */
export interface RemotePrProvider {
  /** Finds the open pull request for `head` and updates its title, body and base; creates one if there is none. */
  openOrUpdate(pr: RemotePrRequest): Promise<RemotePrRef>;
  /** Merges only if the head is still `expectedHeadSha`. */
  merge(number: number, expectedHeadSha: string, method: MergeMethod): Promise<{ merged: true; sha: string }>;
  close(number: number): Promise<void>;
  get(number: number): Promise<RemotePrState>;
}
