import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { RegistryFailure } from "../registry/registry-failure.ts";
import { DEFAULT_SECTION_CHARS, DEFAULT_TOTAL_CHARS } from "./changelog-sections.ts";
import { fetchGithubReleases, githubRepositoryOf } from "./github-releases.ts";
import type { ReleaseNotes } from "./release-notes.ts";

const ZWJ = "\u200D";

interface Release {
  tag_name: string;
  body?: string | null;
  draft?: boolean;
  prerelease?: boolean;
}

function release(tag: string, body: string | null = `notes of ${tag}`, extra: Partial<Release> = {}): Release {
  return { tag_name: tag, body, draft: false, prerelease: false, ...extra };
}

type Route = (req: Request, url: URL) => Response | Promise<Response>;

/** A local stand-in for GitHub's REST API at http://127.0.0.1:PORT/api/v3 (as GitHub Enterprise serves it). */
const routes = new Map<string, Route>();
const seen: { path: string; search: string; headers: Headers }[] = [];
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(req) {
    const url = new URL(req.url);
    seen.push({ path: url.pathname, search: url.search, headers: req.headers });
    const route = routes.get(`${url.pathname}${url.search}`) ?? routes.get(url.pathname);
    return route ? route(req, url) : new Response(JSON.stringify({ message: "Not Found" }), { status: 404 });
  },
});
afterAll(() => server.stop(true));
afterEach(() => {
  for (const r of seen) expect(r.headers.get("authorization")).toBeNull();
  routes.clear();
  seen.length = 0;
});

const API = `http://127.0.0.1:${server.port}/api/v3`;
const REPO = `git+https://127.0.0.1/octo/lib.git`;
const RELEASES = "/api/v3/repos/octo/lib/releases";

function json(value: unknown, init: ResponseInit = {}): Response {
  return new Response(JSON.stringify(value), { ...init, headers: { "content-type": "application/json", ...(init.headers as Record<string, string> | undefined) } });
}

function notes(from: string, to: string, options: { name?: string; repository?: unknown; timeoutMs?: number; maxBytes?: number; signal?: AbortSignal } = {}): Promise<ReleaseNotes> {
  return fetchGithubReleases({ name: options.name ?? "lib", from, to, repository: options.repository ?? REPO }, { apiUrl: API, timeoutMs: options.timeoutMs, maxBytes: options.maxBytes, signal: options.signal });
}

function versions(result: ReleaseNotes): string[] {
  if (!result.found) throw new Error(`no notes: ${result.why}`);
  return result.sections.map((s) => s.version);
}

function why(result: ReleaseNotes): string {
  if (result.found) throw new Error("notes were found");
  expect(result.why).not.toContain("\n");
  return result.why;
}

describe("fetchGithubReleases", () => {
  test("the releases after from up to to, newest first, asked without a token", async () => {
    routes.set(RELEASES, () => json([release("v1.4.0"), release("v1.3.1"), release("1.3.0"), release("v1.2.0"), release("v1.1.0")]));
    const result = await notes("1.2.0", "1.3.1");
    expect(result).toEqual({
      found: true,
      file: "GitHub releases of octo/lib",
      sections: [
        { version: "1.3.1", text: "notes of v1.3.1" },
        { version: "1.3.0", text: "notes of 1.3.0" },
      ],
      truncated: false,
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.search).toBe("?per_page=100");
    expect(seen[0]!.headers.get("accept")).toBe("application/vnd.github+json");
    expect(seen[0]!.headers.get("user-agent")).toStartWith("pushpals/");
  });

  test("a monorepo: only the package's own name@version tags count, then its plain tags are another package's", async () => {
    routes.set(RELEASES, () =>
      json([
        release("@scope/lib@2.1.0", "lib 2.1.0"),
        release("@scope/other@2.1.0"),
        release("v2.1.0", "the main package"),
        release("@scope/lib@2.0.1", "lib 2.0.1"),
        release("lib@2.0.1", "unscoped namesake"),
        release("@scope/lib@2.0.0"),
      ]),
    );
    const result = await notes("2.0.0", "2.1.0", { name: "@scope/lib" });
    expect(versions(result)).toEqual(["2.1.0", "2.0.1"]);
    expect(result.found && result.sections.map((s) => s.text)).toEqual(["lib 2.1.0", "lib 2.0.1"]);
    expect(versions(await notes("1.0.0", "2.0.1", { name: "lib" }))).toEqual(["2.0.1"]);
  });

  test("drafts, prereleases of a stable update and other versions' prereleases are left out", async () => {
    const list = [
      release("v3.0.0-rc.2"),
      release("v3.0.0-rc.1"),
      release("v2.2.0", "a draft", { draft: true }),
      release("v2.1.1", "marked as a prerelease", { prerelease: true }),
      release("v2.1.0"),
      release("v2.1.0-beta.1"),
      release("v2.0.0"),
    ];
    routes.set(RELEASES, () => json(list));
    expect(versions(await notes("2.0.0", "2.2.0"))).toEqual(["2.1.0"]);
    expect(versions(await notes("2.0.0", "3.0.0-rc.2"))).toEqual(["3.0.0-rc.2", "3.0.0-rc.1", "2.1.0"]);
  });

  test("release bodies are made inert and bounded like changelog sections", async () => {
    const big = `${"a line of text\n".repeat(600)}`;
    routes.set(RELEASES, () =>
      json([
        release("v1.1.0", "Thanks @octocat for #12!\r\n<details>\r\n<!-- hidden -->\r\n`@code`"),
        ...Array.from({ length: 8 }, (_, i) => release(`v1.0.${8 - i}`, big)),
        release("v1.0.0"),
      ]),
    );
    const result = await notes("1.0.0", "1.1.0");
    if (!result.found) throw new Error(result.why);
    expect(result.sections[0]).toEqual({ version: "1.1.0", text: `Thanks @${ZWJ}octocat for #12!\n&lt;details>\n\n\`@code\`` });
    expect(result.truncated).toBe(true);
    for (const s of result.sections) expect(s.text.length).toBeLessThanOrEqual(DEFAULT_SECTION_CHARS);
    expect(result.sections.reduce((n, s) => n + s.text.length, 0)).toBeLessThanOrEqual(DEFAULT_TOTAL_CHARS);
  });

  test("empty bodies are left out; releases with only empty bodies are no notes", async () => {
    routes.set(RELEASES, () => json([release("v1.2.0", null), release("v1.1.0", "  \n\n"), release("v1.0.0")]));
    expect(why(await notes("1.0.0", "1.2.0"))).toContain("have no text");
    routes.set(RELEASES, () => json([release("v1.2.0", "real"), release("v1.1.0", null)]));
    expect(versions(await notes("1.0.0", "1.2.0"))).toEqual(["1.2.0"]);
  });

  test("pagination: a second page only when the first is full, names a next page and has not reached from; never a third", async () => {
    const page1 = Array.from({ length: 100 }, (_, i) => release(`other@1.0.${i}`));
    const link = (page: number) => ({ link: `<${API}/repos/octo/lib/releases?per_page=100&page=${page}>; rel="next", <${API}/repos/octo/lib/releases?per_page=100&page=9>; rel="last"` });
    routes.set(`${RELEASES}?per_page=100`, () => json(page1, { headers: link(2) }));
    routes.set(`${RELEASES}?per_page=100&page=2`, () => json([release("v1.1.0"), ...page1.slice(1)], { headers: link(3) }));
    const result = await notes("1.0.0", "1.1.0");
    expect(versions(result)).toEqual(["1.1.0"]);
    // The page limit left releases unread, and none of them reached `from`: some may be missing.
    expect(result.found && result.truncated).toBe(true);
    expect(seen.map((r) => r.search)).toEqual(["?per_page=100", "?per_page=100&page=2"]);

    seen.length = 0;
    routes.set(`${RELEASES}?per_page=100`, () => json([release("v1.1.0"), ...page1.slice(1, 99), release("v1.0.0")], { headers: link(2) }));
    expect(versions(await notes("1.0.0", "1.1.0"))).toEqual(["1.1.0"]);
    expect(seen).toHaveLength(1);

    seen.length = 0;
    routes.set(`${RELEASES}?per_page=100`, () => json([release("v1.1.0")], { headers: link(2) }));
    expect(versions(await notes("1.0.0", "1.1.0"))).toEqual(["1.1.0"]);
    expect(seen).toHaveLength(1);
  });

  test("a next page or a redirect off the API is not followed; a renamed repository's redirect on it is", async () => {
    routes.set(RELEASES, () => json(Array.from({ length: 100 }, (_, i) => release(`other@1.0.${i}`)), { headers: { link: `<http://127.0.0.2:${server.port}/api/v3/repos/octo/lib/releases?page=2>; rel="next"` } }));
    expect(why(await notes("1.0.0", "1.1.0"))).toContain("has no GitHub release of lib after 1.0.0 up to 1.1.0");
    expect(seen).toHaveLength(1);

    routes.set(RELEASES, () => new Response(null, { status: 301, headers: { location: `${API}/repositories/42/releases?per_page=100` } }));
    routes.set("/api/v3/repositories/42/releases", () => json([release("v1.1.0")]));
    expect(versions(await notes("1.0.0", "1.1.0"))).toEqual(["1.1.0"]);

    routes.set(RELEASES, () => new Response(null, { status: 302, headers: { location: "https://example.invalid/releases" } }));
    expect(why(await notes("1.0.0", "1.1.0"))).toContain("redirected the releases of octo/lib off the API");
  });

  test("faults are one line without the response's text", async () => {
    const secret = "SERVER-TEXT-NOT-TO-ECHO";
    const cases: [Route, string][] = [
      [() => json({ message: secret }, { status: 404 }), "has no public repository octo/lib (HTTP 404)"],
      [() => json({ message: secret }, { status: 403, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1700000000" } }), "rate-limits unauthenticated requests (HTTP 403, until 22:13 UTC)"],
      [() => json({ message: secret }, { status: 403 }), "refused the releases of octo/lib without a token (HTTP 403)"],
      [() => json({ message: secret }, { status: 429 }), "rate-limits unauthenticated requests (HTTP 429)"],
      [() => new Response(secret, { status: 502 }), "failed to send the releases of octo/lib (HTTP 502)"],
      [() => new Response(`[{"tag_name": "${secret}"`, { status: 200 }), "as something other than JSON"],
      [() => json({ message: secret }), "in an unexpected shape"],
      [() => json([]), "publishes no GitHub releases"],
    ];
    for (const [route, expected] of cases) {
      routes.set(RELEASES, route);
      const text = why(await notes("1.0.0", "1.1.0"));
      expect(text).toContain(expected);
      expect(text).not.toContain(secret);
    }
  });

  test("a page larger than maxBytes is not read", async () => {
    routes.set(RELEASES, () => json([release("v1.1.0", "x".repeat(5000))]));
    expect(why(await notes("1.0.0", "1.1.0", { maxBytes: 1024 }))).toContain("larger than");
    // No declared length: the bound holds while reading.
    routes.set(RELEASES, () => new Response(new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode(JSON.stringify([release("v1.1.0", "x".repeat(5000))]))), c.close()) })));
    expect(why(await notes("1.0.0", "1.1.0", { maxBytes: 1024 }))).toContain("larger than");
  });

  test("a server that does not answer, or stops sending, times out as found: false", async () => {
    routes.set(RELEASES, async () => {
      await Bun.sleep(1_000);
      return json([release("v1.1.0")]);
    });
    expect(why(await notes("1.0.0", "1.1.0", { timeoutMs: 100 }))).toContain("did not answer for the releases of octo/lib within 100 ms");
    routes.set(RELEASES, () => new Response(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode("[")) })));
    expect(why(await notes("1.0.0", "1.1.0", { timeoutMs: 100 }))).toContain("did not finish sending");
  });

  test("a cancellation throws a cancelled RegistryFailure", async () => {
    routes.set(RELEASES, async () => {
      await Bun.sleep(1_000);
      return json([]);
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const err = await notes("1.0.0", "1.1.0", { signal: controller.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryFailure);
    expect((err as RegistryFailure).fault).toBe("cancelled");
    expect(notes("1.0.0", "1.1.0", { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(RegistryFailure);
  });

  test("no request for a repository elsewhere, or for no update", async () => {
    expect(why(await notes("1.0.0", "1.1.0", { repository: "https://gitlab.com/octo/lib" }))).toContain("names no source repository on 127.0.0.1");
    expect(why(await notes("1.0.0", "1.1.0", { repository: "octo/lib" }))).toContain("names no source repository");
    expect(why(await notes("1.1.0", "1.0.0"))).toContain("no version comes after");
    expect(why(await notes("1.0", "1.1.0"))).toContain("is not an update between two versions");
    expect(why(await notes("1.0.0", "1.1.0", { name: "../x" }))).toContain("is not an npm package name");
    expect(seen).toHaveLength(0);
  });
});

describe("githubRepositoryOf", () => {
  const GITHUB = "https://api.github.com";
  const octo = { owner: "octo", repo: "lib", directory: null };

  test("the forms a packument's repository takes, on github.com", () => {
    const forms = [
      "git+https://github.com/octo/lib.git",
      "https://github.com/octo/lib",
      "https://github.com/octo/lib/",
      "https://www.github.com/octo/lib",
      "http://github.com/octo/lib.git",
      "git://github.com/octo/lib.git",
      "git@github.com:octo/lib.git",
      "ssh://git@github.com/octo/lib.git",
      "git+ssh://git@github.com/octo/lib.git",
      "git+ssh://git@github.com:octo/lib.git",
      "https://GitHub.com/octo/lib.git#main",
      "github:octo/lib",
      "github:octo/lib#v1",
      "octo/lib",
      "https://github.com/octo/lib/tree/main/packages/lib",
    ];
    for (const form of forms) expect([form, githubRepositoryOf(form, GITHUB)]).toEqual([form, octo]);
    expect(githubRepositoryOf({ type: "git", url: "git+https://github.com/octo/lib.git" }, GITHUB)).toEqual(octo);
    expect(githubRepositoryOf({ type: "git", url: "https://github.com/octo/mono.git", directory: "./packages/lib/" }, GITHUB)).toEqual({ owner: "octo", repo: "mono", directory: "packages/lib" });
    expect(githubRepositoryOf({ url: "https://github.com/octo/mono", directory: "../elsewhere" }, GITHUB)).toEqual({ owner: "octo", repo: "mono", directory: null });
  });

  test("another host, a shorthand of another host, or a name GitHub would not allow is null", () => {
    const others: unknown[] = [
      "https://gitlab.com/octo/lib",
      "gitlab:octo/lib",
      "bitbucket:octo/lib",
      "gist:abc123",
      "git@gitlab.com:octo/lib.git",
      "https://github.com.evil.test/octo/lib",
      "https://evil.test/github.com/octo/lib",
      "file:///home/octo/lib",
      "https://github.com/octo",
      "https://github.com/-octo/lib",
      "https://github.com/octo_x/lib",
      "https://github.com/octo/li b",
      "https://github.com/octo/..",
      `https://github.com/${"a".repeat(40)}/lib`,
      "",
      42,
      null,
      { type: "git" },
      { url: 7 },
    ];
    for (const other of others) expect([other, githubRepositoryOf(other, GITHUB)]).toEqual([other, null]);
  });

  test("GitHub Enterprise: its own host only; npm's shorthands mean github.com", () => {
    const ghe = "https://ghe.example.test/api/v3";
    expect(githubRepositoryOf("git+https://ghe.example.test/octo/lib.git", ghe)).toEqual(octo);
    expect(githubRepositoryOf("git@ghe.example.test:octo/lib.git", ghe)).toEqual(octo);
    expect(githubRepositoryOf("https://github.com/octo/lib", ghe)).toBeNull();
    expect(githubRepositoryOf("github:octo/lib", ghe)).toBeNull();
    expect(githubRepositoryOf("octo/lib", ghe)).toBeNull();
    expect(githubRepositoryOf("https://ghe.example.test/octo/lib", GITHUB)).toBeNull();
    expect(githubRepositoryOf("https://github.com/octo/lib", "not a url")).toBeNull();
  });
});
