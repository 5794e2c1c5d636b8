import { GithubError } from "./github-error.ts";
import { GithubClient, type GithubClientOptions } from "./github-client.ts";
import { isAlreadyExists } from "./github-failure.ts";
import type { MergeMethod, RemotePrProvider, RemotePrRef, RemotePrRequest, RemotePrState } from "../common/api.ts";

export type GithubProviderOptions = GithubClientOptions;

type PullLike = { number: number; html_url: string; head: { sha: string } };

/** The GitHub REST pull request API; no retries of its own: a failure is classified and the job decides. */
export class GithubProvider implements RemotePrProvider {
  readonly owner: string;
  readonly repo: string;
  readonly #api: GithubClient;

  constructor(options: GithubProviderOptions) {
    this.#api = new GithubClient(options);
    this.owner = options.owner;
    this.repo = options.repo;
  }

  async openOrUpdate(pr: RemotePrRequest): Promise<RemotePrRef> {
    const existing = await this.#findOpen(pr.head);
    if (existing) return this.#update(existing.number, pr);
    try {
      const created = await this.#api.send(`POST ${this.#api.path("pulls")}`, (signal) =>
        this.#api.octokit.request("POST /repos/{owner}/{repo}/pulls", { ...this.#api.where(), head: pr.head, base: pr.base, title: pr.title, body: pr.body, request: { signal } }),
      );
      return ref(created.data);
    } catch (err) {
      // Someone (an earlier attempt) opened it between our lookup and the create.
      if (!isAlreadyExists(err)) throw err;
      const found = await this.#findOpen(pr.head);
      if (!found) throw err;
      return this.#update(found.number, pr);
    }
  }

  async merge(number: number, expectedHeadSha: string, method: MergeMethod): Promise<{ merged: true; sha: string }> {
    const route = `PUT ${this.#api.path(`pulls/${number}/merge`)}`;
    const r = await this.#api.send(route, (signal) =>
      this.#api.octokit.request("PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", {
        ...this.#api.where(),
        pull_number: number,
        sha: expectedHeadSha,
        merge_method: method,
        request: { signal },
      }),
    );
    if (r.data.merged !== true) throw new GithubError("conflict", `GitHub ${route} did not merge: ${this.#api.scrub(r.data.message)}`, { command: route }, r.status);
    return { merged: true, sha: r.data.sha };
  }

  async close(number: number): Promise<void> {
    await this.#api.send(`PATCH ${this.#api.path(`pulls/${number}`)}`, (signal) =>
      this.#api.octokit.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", { ...this.#api.where(), pull_number: number, state: "closed", request: { signal } }),
    );
  }

  async get(number: number): Promise<RemotePrState> {
    const r = await this.#api.send(`GET ${this.#api.path(`pulls/${number}`)}`, (signal) =>
      this.#api.octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { ...this.#api.where(), pull_number: number, request: { signal } }),
    );
    const pr = r.data;
    return { state: pr.state === "open" ? "open" : "closed", merged: pr.merged, headSha: pr.head.sha, mergeable: pr.mergeable };
  }

  async #findOpen(head: string): Promise<PullLike | null> {
    const r = await this.#api.send(`GET ${this.#api.path("pulls")}?head=${this.owner}:${head}&state=open`, (signal) =>
      this.#api.octokit.request("GET /repos/{owner}/{repo}/pulls", { ...this.#api.where(), head: `${this.owner}:${head}`, state: "open", per_page: 10, request: { signal } }),
    );
    return r.data[0] ?? null;
  }

  async #update(number: number, pr: RemotePrRequest): Promise<RemotePrRef> {
    const r = await this.#api.send(`PATCH ${this.#api.path(`pulls/${number}`)}`, (signal) =>
      this.#api.octokit.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", {
        ...this.#api.where(),
        pull_number: number,
        title: pr.title,
        body: pr.body,
        base: pr.base,
        request: { signal },
      }),
    );
    return ref(r.data);
  }
}

function ref(pr: PullLike): RemotePrRef {
  return { number: pr.number, url: pr.html_url, headSha: pr.head.sha };
}
