import { z } from "zod";
import { MergeMethod } from "../common/api.ts";

const NAME = /^[A-Za-z0-9_.-]+$/;

/** The labels whose open issues become work items by default (the labelled backlog). */
export const DEFAULT_ISSUE_LABELS = ["agent:ready", "good first issue", "bug"];

/**
 * A GitHub label name as the issues list filters by it: GitHub allows 50 characters, and its `labels`
 * filter is comma-separated (a comma would ask for two labels at once).
 */
const IssueLabel = z
  .string()
  .trim()
  .min(1)
  .max(50)
  .refine((s) => !s.includes(","), "must not contain a comma (GitHub's labels filter splits on it); list each label on its own")
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "must not contain control characters");

/**
 * A `[github]` config section (snake_case, like the others). No token key: a token must not be
 * committed; it comes from the environment, the local override or `gh` (see resolveGithubToken).
 */
export const GithubSection = z.strictObject({
  /** "owner/name". */
  repository: z.string().refine((s) => s.split("/").length === 2 && s.split("/").every((p) => NAME.test(p) && p !== "." && p !== ".."), 'must be "owner/name"'),
  /** https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server (plain http only on loopback). */
  api_url: z.url({ protocol: /^https?$/ }).refine(httpsOrLoopback, "must be an https URL (plain http is allowed only for 127.0.0.1 or localhost)").default("https://api.github.com"),
  /** Where branches are pushed (https, or file:// for a local mirror); default derived from api_url and repository. */
  remote_url: z.url({ protocol: /^(https|file)$/ }).nullable().default(null),
  merge_method: MergeMethod.default("merge"),
  request_timeout_seconds: z.number().int().positive().max(600).default(30),
  /** Open issues carrying any of these labels become work items (the labelled backlog); [] turns that source off. */
  issue_labels: z.array(IssueLabel).max(20).default(() => [...DEFAULT_ISSUE_LABELS]),
});
export type GithubSection = z.infer<typeof GithubSection>;

/** The section as configured: `repository` may be unset until `pr.provider = "github"` needs it. */
export const GithubConfig = GithubSection.extend({ repository: GithubSection.shape.repository.nullable() });
export type GithubConfig = z.infer<typeof GithubConfig>;

export const DEFAULT_GITHUB_CONFIG: GithubConfig = GithubConfig.parse({ repository: null });

function httpsOrLoopback(value: string): boolean {
  const url = new URL(value);
  return url.protocol === "https:" || url.hostname === "127.0.0.1" || url.hostname === "localhost";
}

/** The git transports a push to this remote needs: never more. */
export function pushProtocols(remoteUrl: string): string[] {
  return remoteUrl.startsWith("file:") ? ["file"] : ["https"];
}

export interface GithubTarget {
  owner: string;
  repo: string;
  apiUrl: string;
  /** https://HOST/OWNER/REPO.git, never with credentials. */
  remoteUrl: string;
}

export function githubTarget(section: GithubSection): GithubTarget {
  const [owner = "", repo = ""] = section.repository.split("/");
  const apiUrl = section.api_url.replace(/\/+$/, "");
  return { owner, repo, apiUrl, remoteUrl: section.remote_url ?? `${webOrigin(apiUrl)}/${owner}/${repo}.git` };
}

/** api.github.com -> github.com; https://HOST/api/v3 -> https://HOST. */
function webOrigin(apiUrl: string): string {
  const url = new URL(apiUrl);
  if (url.hostname === "api.github.com") return "https://github.com";
  return url.origin;
}
