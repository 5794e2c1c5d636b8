import type { components } from "@octokit/openapi-types";

type Pull = components["schemas"]["pull-request"];
type Branch = Pick<Pull["head"], "label" | "ref" | "sha">;
/** The fields of GitHub's `pull-request` schema the provider reads, each with the real type. */
export type FakePull = Pick<Pull, "number" | "html_url" | "state" | "title" | "body" | "merged" | "mergeable"> & { head: Branch; base: Branch };
type ListedPull = Pick<components["schemas"]["pull-request-simple"], "number" | "html_url" | "state" | "title" | "body"> & { head: Branch; base: Branch };
type MergeResult = components["schemas"]["pull-request-merge-result"];
type Issue = components["schemas"]["issue"];
/** The fields of GitHub's `issue` schema the issue scan reads; `pull_request` marks a PR, which the issues list includes too. */
export type FakeIssue = Pick<Issue, "number" | "html_url" | "state" | "title" | "body" | "pull_request"> & { labels: { name: string }[] };
type ValidationError = components["schemas"]["validation-error"];
type BasicError = components["schemas"]["basic-error"];

export interface SeenRequest {
  method: string;
  /** Path and query. */
  url: string;
  authorization: string | null;
  userAgent: string | null;
  body: unknown;
}

export interface CannedResponse {
  status: number;
  headers?: Record<string, string>;
  body: BasicError | ValidationError | string;
}

/**
 * A test double of GitHub's pull request REST API (and its issues list) on 127.0.0.1: one repository, real response
 * shapes (typed from @octokit/openapi-types), every request recorded. `canned` responses are
 * served first, in order, for requests whose "METHOD /path" starts with their key.
 */
export class FakeGithub {
  readonly pulls = new Map<number, FakePull>();
  readonly requests: SeenRequest[] = [];
  readonly canned: { route: string; response: CannedResponse }[] = [];
  /** Branch heads in the fake repository: a created PR's head SHA comes from here. */
  readonly branches = new Map<string, string>();
  /** The next N list calls miss every PR, as a lookup racing a concurrent create would. */
  hideFromNextLists = 0;
  /** Issues (and PRs listed as issues), numbered with the pulls as GitHub does. */
  readonly issues = new Map<number, FakeIssue>();
  /** GitHub serves at most 100 per page; a test lowers it to page through a few issues. */
  maxPerPage = 100;
  private nextNumber = 1;
  private server: ReturnType<typeof Bun.serve> | null = null;

  constructor(
    readonly owner: string,
    readonly repo: string,
  ) {}

  get url(): string {
    if (!this.server) throw new Error("FakeGithub not started");
    return `http://127.0.0.1:${this.server.port}`;
  }

  start(): this {
    this.server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => this.handle(req) });
    return this;
  }

  stop(): void {
    this.server?.stop(true);
  }

  addPull(head: string, base: string, sha: string, extra: Partial<FakePull> = {}): FakePull {
    const number = this.nextNumber++;
    const pull: FakePull = {
      number,
      html_url: `https://github.example/${this.owner}/${this.repo}/pull/${number}`,
      state: "open",
      title: "",
      body: null,
      merged: false,
      mergeable: null,
      head: { label: `${this.owner}:${head}`, ref: head, sha },
      base: { label: `${this.owner}:${base}`, ref: base, sha: "0".repeat(40) },
      ...extra,
    };
    this.pulls.set(number, pull);
    return pull;
  }

  /** An open issue with these labels (`extra.pull_request` makes it a PR as the issues list shows one). */
  addIssue(title: string, labels: string[], extra: Partial<FakeIssue> = {}): FakeIssue {
    const number = this.nextNumber++;
    const issue: FakeIssue = {
      number,
      html_url: `https://github.example/${this.owner}/${this.repo}/issues/${number}`,
      state: "open",
      title,
      body: null,
      labels: labels.map((name) => ({ name })),
      ...extra,
    };
    this.issues.set(number, issue);
    return issue;
  }

  private async handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const text = await req.text();
    const body: unknown = text ? JSON.parse(text) : null;
    this.requests.push({ method: req.method, url: url.pathname + url.search, authorization: req.headers.get("authorization"), userAgent: req.headers.get("user-agent"), body });
    const key = `${req.method} ${url.pathname}`;
    const canned = this.canned.find((c) => key.startsWith(c.route));
    if (canned) {
      this.canned.splice(this.canned.indexOf(canned), 1);
      return json(canned.response.body, canned.response.status, canned.response.headers);
    }
    if (url.pathname === `/repos/${this.owner}/${this.repo}/issues` && req.method === "GET") return this.listIssues(url);
    const prefix = `/repos/${this.owner}/${this.repo}/pulls`;
    if (!url.pathname.startsWith(prefix)) return json({ message: "Not Found" } satisfies BasicError, 404);
    const rest = url.pathname.slice(prefix.length);
    const input = (body ?? {}) as Record<string, string | undefined>;
    if (rest === "" && req.method === "GET") return json(this.list(url.searchParams));
    if (rest === "" && req.method === "POST") return this.create(input);
    const match = /^\/(\d+)(\/merge)?$/.exec(rest);
    const pull = match ? this.pulls.get(Number(match[1])) : undefined;
    if (!pull) return json({ message: "Not Found" } satisfies BasicError, 404);
    if (match?.[2] && req.method === "PUT") return this.merge(pull, input);
    if (req.method === "GET") return json(pull);
    if (req.method === "PATCH") {
      Object.assign(pull, pick(input, ["title", "body"]), input.state === "closed" ? { state: "closed" } : {});
      if (input.base) pull.base = { ...pull.base, ref: input.base, label: `${this.owner}:${input.base}` };
      return json(pull);
    }
    return json({ message: "Not Found" } satisfies BasicError, 404);
  }

  private list(query: URLSearchParams): ListedPull[] {
    if (this.hideFromNextLists > 0) {
      this.hideFromNextLists--;
      return [];
    }
    return [...this.pulls.values()]
      .filter((p) => (!query.get("head") || p.head.label === query.get("head")) && (query.get("state") === "all" || p.state === (query.get("state") ?? "open")))
      .map(({ number, html_url, state, title, body, head, base }) => ({ number, html_url, state, title, body, head, base }));
  }

  /** GitHub's filters: `state` (default open), `labels` (comma-separated, all of them, any case); `per_page`, `page` and a `Link` header. */
  private listIssues(url: URL): Response {
    const query = url.searchParams;
    const state = query.get("state") ?? "open";
    const wanted = (query.get("labels") ?? "").split(",").map((l) => l.trim().toLowerCase()).filter(Boolean);
    const matching = [...this.issues.values()]
      .filter((i) => (state === "all" || i.state === state) && wanted.every((w) => i.labels.some((l) => l.name.toLowerCase() === w)))
      .sort((a, b) => b.number - a.number);
    const perPage = Math.min(Number(query.get("per_page") ?? 30), this.maxPerPage);
    const page = Number(query.get("page") ?? 1);
    const last = Math.max(1, Math.ceil(matching.length / perPage));
    const link = (p: number, rel: string) => {
      const next = new URL(url);
      next.searchParams.set("page", String(p));
      return `<${next.href}>; rel="${rel}"`;
    };
    const links = [...(page < last ? [link(page + 1, "next"), link(last, "last")] : []), ...(page > 1 ? [link(1, "first"), link(page - 1, "prev")] : [])];
    return json(matching.slice((page - 1) * perPage, page * perPage), 200, links.length ? { link: links.join(", ") } : {});
  }

  private create(input: Record<string, string | undefined>): Response {
    const { head = "", base = "", title = "" } = input;
    if ([...this.pulls.values()].some((p) => p.state === "open" && p.head.ref === head)) {
      return json(
        {
          message: "Validation Failed",
          errors: [{ resource: "PullRequest", code: "custom", message: `A pull request already exists for ${this.owner}:${head}.` }],
          documentation_url: "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
        } satisfies ValidationError,
        422,
      );
    }
    return json(this.addPull(head, base, this.branches.get(head) ?? "f".repeat(40), { title, body: input.body ?? null }), 201);
  }

  private merge(pull: FakePull, input: Record<string, string | undefined>): Response {
    if (input.sha && input.sha !== pull.head.sha) return json({ message: "Head branch was modified. Review and try the merge again." } satisfies BasicError, 409);
    Object.assign(pull, { merged: true, state: "closed" });
    return json({ sha: "a".repeat(40), merged: true, message: "Pull Request successfully merged" } satisfies MergeResult);
  }
}

function pick(input: Record<string, string | undefined>, keys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) if (input[key] !== undefined) out[key] = input[key];
  return out;
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(typeof body === "string" ? body : JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } });
}
