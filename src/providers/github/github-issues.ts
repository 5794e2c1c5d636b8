import type { components } from "@octokit/openapi-types";
import { boundedText } from "../../core/bounded-text.ts";
import type { RemoteIssue, RemoteIssueList, RemoteIssueTracker } from "../common/api.ts";
import { GithubClient, type GithubClientOptions } from "./github-client.ts";

type Issue = components["schemas"]["issue"];

const PER_PAGE = 100;
/** Requests of one scan: 20 labels (the config's limit) of 5 full pages each. */
const MAX_REQUESTS = 100;

/**
 * The labelled open issues of one repository: `GET /repos/{owner}/{repo}/issues?state=open&labels=L`
 * for each configured label (GitHub's filter ANDs a comma list, so one label per query), paginated,
 * their union. Pull requests (which that endpoint lists too) are left out. Bounded: each label is
 * read for at most `max` entries, a scan makes at most MAX_REQUESTS requests, and the list stops
 * (`complete: false`) at `max` issues or `maxBytes` of JSON, so a flood of issues never makes an
 * unbounded job result.
 */
export class GithubIssues implements RemoteIssueTracker {
  readonly repository: string;
  readonly #api: GithubClient;

  constructor(
    options: GithubClientOptions,
    readonly labels: readonly string[],
  ) {
    this.#api = new GithubClient(options);
    this.repository = `${options.owner}/${options.repo}`;
  }

  async listOpenIssues(bounds: { max: number; maxBytes: number }): Promise<RemoteIssueList> {
    const found = new Map<number, RemoteIssue>();
    let bytes = 0;
    let requests = 0;
    const result = (complete: boolean): RemoteIssueList => ({ issues: [...found.values()].sort((a, b) => a.number - b.number), complete });
    for (const label of this.labels) {
      let read = 0;
      for (let page = 1; ; page++) {
        if (requests++ >= MAX_REQUESTS) return result(false);
        const r = await this.#api.send(`GET ${this.#api.path("issues")}?state=open&labels=${encodeURIComponent(label)}&page=${page}`, (signal) =>
          this.#api.octokit.request("GET /repos/{owner}/{repo}/issues", { ...this.#api.where(), state: "open", labels: label, per_page: PER_PAGE, page, request: { signal } }),
        );
        for (const raw of r.data) {
          if (raw.pull_request || raw.state !== "open" || found.has(raw.number) || !carriesOneOf(raw, this.labels)) continue;
          const issue = boundedIssue(raw);
          const size = Buffer.byteLength(JSON.stringify(issue)) + 1;
          if (found.size >= bounds.max || bytes + size > bounds.maxBytes) return result(false);
          found.set(issue.number, issue);
          bytes += size;
        }
        read += r.data.length;
        if (!hasNextPage(r.headers.link)) break;
        // More entries under this one label than a scan may hold: the rest stays unread.
        if (read >= bounds.max) return result(false);
      }
    }
    return result(true);
  }
}

function labelNames(issue: Issue): string[] {
  return issue.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))).filter((name) => name.length > 0);
}

/** GitHub's label names compare without case, as its own filter does. */
function carriesOneOf(issue: Issue, labels: readonly string[]): boolean {
  const wanted = new Set(labels.map((l) => l.toLowerCase()));
  return labelNames(issue).some((name) => wanted.has(name.toLowerCase()));
}

function boundedIssue(issue: Issue): RemoteIssue {
  return {
    number: issue.number,
    title: boundedText(issue.title, 300),
    url: boundedText(issue.html_url, 500),
    labels: labelNames(issue).slice(0, 32).map((name) => boundedText(name, 64)),
    excerpt: boundedText(issue.body ?? "", 500),
  };
}

/** RFC 8288 `Link: <...>; rel="next"`, as GitHub paginates. */
function hasNextPage(link: string | undefined): boolean {
  return link !== undefined && /<[^>]*>\s*;\s*rel="next"/.test(link);
}
