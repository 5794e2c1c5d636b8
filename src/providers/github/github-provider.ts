import { Octokit } from "@octokit/core";
import { GithubError, scrub } from "./github-error.ts";
import { githubFailure, isAlreadyExists } from "./github-failure.ts";
import type { MergeMethod, RemotePrProvider, RemotePrRef, RemotePrRequest, RemotePrState } from "../common/api.ts";

export interface GithubProviderOptions {
  owner: string;
  repo: string;
  token: string;
  /** Default https://api.github.com; GitHub Enterprise: https://HOST/api/v3. */
  apiUrl?: string;
  userAgent: string;
  /** Per request (default 30 s). */
  timeoutMs?: number;
  /** Octokit's own warnings (deprecated endpoints), token removed. Default: dropped. */
  log?: (line: string) => void;
}

type PullLike = { number: number; html_url: string; head: { sha: string } };

/** The GitHub REST pull request API; no retries of its own: a failure is classified and the job decides. */
export class GithubProvider implements RemotePrProvider {
  readonly owner: string;
  readonly repo: string;
  readonly #token: string;
  readonly #octokit: Octokit;
  readonly #timeoutMs: number;

  constructor(options: GithubProviderOptions) {
    if (!options.token) throw new GithubError("environment", "no GitHub token given");
    this.owner = options.owner;
    this.repo = options.repo;
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    const log = (line: string) => options.log?.(scrub(line, options.token));
    const logger = { debug: () => {}, info: () => {}, warn: log, error: log };
    this.#octokit = new Octokit({
      auth: options.token,
      baseUrl: (options.apiUrl ?? "https://api.github.com").replace(/\/+$/, ""),
      userAgent: options.userAgent,
      log: logger,
      request: { log: logger },
    });
  }

  async openOrUpdate(pr: RemotePrRequest): Promise<RemotePrRef> {
    const existing = await this.#findOpen(pr.head);
    if (existing) return this.#update(existing.number, pr);
    try {
      const created = await this.#send(`POST ${this.#path("pulls")}`, (signal) =>
        this.#octokit.request("POST /repos/{owner}/{repo}/pulls", { ...this.#where(), head: pr.head, base: pr.base, title: pr.title, body: pr.body, request: { signal } }),
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
    const route = `PUT ${this.#path(`pulls/${number}/merge`)}`;
    const r = await this.#send(route, (signal) =>
      this.#octokit.request("PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", {
        ...this.#where(),
        pull_number: number,
        sha: expectedHeadSha,
        merge_method: method,
        request: { signal },
      }),
    );
    if (r.data.merged !== true) throw new GithubError("conflict", `GitHub ${route} did not merge: ${scrub(r.data.message, this.#token)}`, { command: route }, r.status);
    return { merged: true, sha: r.data.sha };
  }

  async close(number: number): Promise<void> {
    await this.#send(`PATCH ${this.#path(`pulls/${number}`)}`, (signal) =>
      this.#octokit.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", { ...this.#where(), pull_number: number, state: "closed", request: { signal } }),
    );
  }

  async get(number: number): Promise<RemotePrState> {
    const r = await this.#send(`GET ${this.#path(`pulls/${number}`)}`, (signal) =>
      this.#octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { ...this.#where(), pull_number: number, request: { signal } }),
    );
    const pr = r.data;
    return { state: pr.state === "open" ? "open" : "closed", merged: pr.merged, headSha: pr.head.sha, mergeable: pr.mergeable };
  }

  async #findOpen(head: string): Promise<PullLike | null> {
    const r = await this.#send(`GET ${this.#path("pulls")}?head=${this.owner}:${head}&state=open`, (signal) =>
      this.#octokit.request("GET /repos/{owner}/{repo}/pulls", { ...this.#where(), head: `${this.owner}:${head}`, state: "open", per_page: 10, request: { signal } }),
    );
    return r.data[0] ?? null;
  }

  async #update(number: number, pr: RemotePrRequest): Promise<RemotePrRef> {
    const r = await this.#send(`PATCH ${this.#path(`pulls/${number}`)}`, (signal) =>
      this.#octokit.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", {
        ...this.#where(),
        pull_number: number,
        title: pr.title,
        body: pr.body,
        base: pr.base,
        request: { signal },
      }),
    );
    return ref(r.data);
  }

  /** Runs one request with its own deadline; anything thrown becomes a classified, token-free failure. */
  async #send<T>(route: string, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const signal = AbortSignal.timeout(this.#timeoutMs);
    try {
      return await call(signal);
    } catch (err) {
      throw githubFailure(err, { request: route, token: this.#token, signal, timeoutMs: this.#timeoutMs });
    }
  }

  #where(): { owner: string; repo: string } {
    return { owner: this.owner, repo: this.repo };
  }

  #path(rest: string): string {
    return `/repos/${this.owner}/${this.repo}/${rest}`;
  }
}

function ref(pr: PullLike): RemotePrRef {
  return { number: pr.number, url: pr.html_url, headSha: pr.head.sha };
}
