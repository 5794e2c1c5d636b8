import { expect, test } from "bun:test";
import { GithubSection, githubTarget } from "./github-settings.ts";

test("defaults target github.com and derive the push URL from the repository", () => {
  const section = GithubSection.parse({ repository: "octo/app" });
  expect(section).toEqual({ repository: "octo/app", api_url: "https://api.github.com", remote_url: null, merge_method: "merge", request_timeout_seconds: 30, issue_labels: ["agent:ready", "good first issue", "bug"] });
  expect(githubTarget(section)).toEqual({ owner: "octo", repo: "app", apiUrl: "https://api.github.com", remoteUrl: "https://github.com/octo/app.git" });
});

test("GitHub Enterprise: the push URL is on the API's host; an explicit remote_url wins", () => {
  const ghe = GithubSection.parse({ repository: "team/svc", api_url: "https://ghe.example.com/api/v3/" });
  expect(githubTarget(ghe).remoteUrl).toBe("https://ghe.example.com/team/svc.git");
  expect(githubTarget(ghe).apiUrl).toBe("https://ghe.example.com/api/v3");
  const explicit = GithubSection.parse({ repository: "team/svc", remote_url: "https://mirror.example.com/svc.git" });
  expect(githubTarget(explicit).remoteUrl).toBe("https://mirror.example.com/svc.git");
});

test("refuses bad repositories, plain-http URLs, unknown keys and a token key", () => {
  for (const repository of ["octo", "octo/app/x", "../app", "octo/app name", "octo/.."]) {
    expect(GithubSection.safeParse({ repository }).success).toBe(false);
  }
  expect(GithubSection.safeParse({ repository: "o/r", api_url: "http://api.github.com" }).success).toBe(false);
  expect(GithubSection.safeParse({ repository: "o/r", token: "ghp_x" }).success).toBe(false);
  expect(GithubSection.safeParse({ repository: "o/r", merge_method: "fast-forward" }).success).toBe(false);
});

test("issue_labels: trimmed GitHub label names, no comma (the filter's separator) or control character; [] turns the source off", () => {
  expect(GithubSection.parse({ repository: "o/r", issue_labels: [" help wanted "] }).issue_labels).toEqual(["help wanted"]);
  expect(GithubSection.parse({ repository: "o/r", issue_labels: [] }).issue_labels).toEqual([]);
  for (const label of ["bug,docs", "", "x".repeat(51), "tab\tbed", "esc\u001b["]) {
    expect(GithubSection.safeParse({ repository: "o/r", issue_labels: [label] }).success).toBe(false);
  }
});
