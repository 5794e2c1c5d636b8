import { Octokit } from "@octokit/core";
import { GithubError, scrub } from "./github-error.ts";
import { githubFailure } from "./github-failure.ts";

export interface GithubClientOptions {
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

/**
 * One repository's REST client: Octokit with the token, our user agent and a token-free logger, and
 * `send`, which gives each request its own deadline and turns anything it throws into a classified,
 * token-free GithubError. No retries of its own: the job decides.
 */
export class GithubClient {
  readonly owner: string;
  readonly repo: string;
  readonly octokit: Octokit;
  readonly #token: string;
  readonly #timeoutMs: number;

  constructor(options: GithubClientOptions) {
    if (!options.token) throw new GithubError("environment", "no GitHub token given");
    this.owner = options.owner;
    this.repo = options.repo;
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    const log = (line: string) => options.log?.(scrub(line, options.token));
    const logger = { debug: () => {}, info: () => {}, warn: log, error: log };
    this.octokit = new Octokit({
      auth: options.token,
      baseUrl: (options.apiUrl ?? "https://api.github.com").replace(/\/+$/, ""),
      userAgent: options.userAgent,
      log: logger,
      request: { log: logger },
    });
  }

  /** Runs one request (`route` names it in failures: "GET /repos/o/r/issues", never the token). */
  async send<T>(route: string, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const signal = AbortSignal.timeout(this.#timeoutMs);
    try {
      return await call(signal);
    } catch (err) {
      throw githubFailure(err, { request: route, token: this.#token, signal, timeoutMs: this.#timeoutMs });
    }
  }

  /** Text GitHub sent back, with the token removed in case it echoes one. */
  scrub(text: string): string {
    return scrub(text, this.#token);
  }

  where(): { owner: string; repo: string } {
    return { owner: this.owner, repo: this.repo };
  }

  path(rest: string): string {
    return `/repos/${this.owner}/${this.repo}/${rest}`;
  }
}
