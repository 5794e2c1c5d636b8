import { gitConfigArgs, gitEnv } from "../../scm/git.ts";
import { basicCredential, GithubError, scrub } from "./github-error.ts";
import { isSha } from "../../core/sha.ts";

export interface PushBranchOptions {
  repoRoot: string;
  /** https://HOST/OWNER/REPO.git, without credentials. */
  remoteUrl: string;
  branch: string;
  sha: string;
  /** What the remote branch must still point at; null: it must not exist yet. */
  expectedRemoteSha: string | null;
  /** Sent as an HTTP header to `remoteUrl` only; never in argv or the URL. null: no auth (a local remote). */
  token: string | null;
  /** Transports git may use; default https only (tests use `file`). */
  allowProtocols?: string[];
  timeoutMs?: number;
  /**
   * Also fast-forward this ref (the audit anchor) to `sha` in the same push, never forced: a remote
   * copy that the local one does not extend refuses it, which is what makes the remote copy an anchor.
   */
  alsoFastForward?: { ref: string; sha: string } | null;
}

export interface PushResult {
  /** The remote already had `sha`: nothing was sent. */
  upToDate: boolean;
  /** How the `alsoFastForward` ref fared: absent when none was asked. */
  anchor?: { ok: boolean; summary: string };
}


/**
 * `git push --force-with-lease` of one exact commit to one branch: the branch moves only if it is
 * still where we last saw it, so a concurrent push is never overwritten.
 */
export async function pushBranch(options: PushBranchOptions): Promise<PushResult> {
  const plan = pushPlan(options);
  const timeoutMs = options.timeoutMs ?? 120_000;
  // git() cannot take extra environment entries, so the push runs here with git()'s own hardening.
  const child = Bun.spawn(plan.argv, {
    cwd: options.repoRoot,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: plan.env,
    timeout: timeoutMs,
    killSignal: "SIGKILL",
  });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  const command = `git push ${options.remoteUrl} ${options.sha}:refs/heads/${options.branch}`;
  const evidence = { command, exitCode, logExcerpt: scrub(`${stdout}\n${stderr}`.trim(), options.token).slice(-16_000) };
  if (child.signalCode) throw new GithubError("timeout", `${command} did not finish within ${timeoutMs} ms`, { command });
  const line = refLine(stdout, `refs/heads/${options.branch}`);
  const extra = options.alsoFastForward ? refLine(stdout, options.alsoFastForward.ref) : null;
  const anchor = options.alsoFastForward ? { anchor: { ok: extra !== null && extra.flag !== "!", summary: scrub(extra?.summary ?? "not reported", options.token) } } : {};
  // The branch is what the job is about; a refused anchor is reported, not a failed push.
  if (exitCode === 0 || (line && line.flag !== "!" && extra?.flag === "!")) return { upToDate: line?.flag === "=", ...anchor };
  const reason = scrub(line?.summary ?? (stderr.trim() || `exit ${exitCode}`), options.token);
  if (line && line.flag === "!" && /stale info|fetch first|non-fast-forward|already exists/.test(line.summary)) {
    throw new GithubError("conflict", `push of ${options.branch} rejected: the remote branch is not at ${options.expectedRemoteSha ?? "nothing (it exists)"} (${reason})`, evidence);
  }
  if (line && /remote rejected/.test(line.summary)) throw new GithubError("policy_denied", `the remote refused ${options.branch}: ${reason}`, evidence);
  throw new GithubError("environment", `${command} failed: ${scrub(stderr.trim() || stdout.trim(), options.token).slice(-2000)}`, evidence);
}

/** The exact argv and environment of the push: the token is only ever in the environment. */
export function pushPlan(options: PushBranchOptions): { argv: string[]; env: Record<string, string> } {
  const allowProtocols = options.allowProtocols ?? ["https"];
  if (!isSha(options.sha)) throw new GithubError("invalid_input", `not a full commit id: ${JSON.stringify(options.sha)}`);
  if (options.expectedRemoteSha !== null && !isSha(options.expectedRemoteSha)) {
    throw new GithubError("invalid_input", `not a full commit id: ${JSON.stringify(options.expectedRemoteSha)}`);
  }
  if (!validBranch(options.branch)) throw new GithubError("invalid_input", `not a valid branch name: ${JSON.stringify(options.branch)}`);
  const extra = options.alsoFastForward;
  if (extra && (!isSha(extra.sha) || !extra.ref.startsWith("refs/") || !validBranch(extra.ref.slice("refs/".length)))) {
    throw new GithubError("invalid_input", `not a ref and commit to push: ${JSON.stringify(extra)}`);
  }
  const url = parseRemote(options.remoteUrl, allowProtocols);
  const ref = `refs/heads/${options.branch}`;
  const argv = [
    "git",
    ...gitConfigArgs({ allowProtocols }),
    "push",
    "--porcelain",
    "--no-verify",
    "--no-signed",
    "--no-follow-tags",
    "--recurse-submodules=no",
    `--force-with-lease=${ref}:${options.expectedRemoteSha ?? ""}`,
    "--",
    options.remoteUrl,
    `${options.sha}:${ref}`,
    ...(options.alsoFastForward ? [`${options.alsoFastForward.sha}:${options.alsoFastForward.ref}`] : []),
  ];
  const env = gitEnv({ allowProtocols });
  if (options.token && (url.protocol === "https:" || url.protocol === "http:")) {
    // Scoped to this repository's URL, so a redirect elsewhere does not carry the header.
    Object.assign(env, {
      GIT_CONFIG_COUNT: "1",
      GIT_CONFIG_KEY_0: `http.${options.remoteUrl}.extraheader`,
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${basicCredential(options.token)}`,
    });
  }
  return { argv, env };
}

function parseRemote(remoteUrl: string, allowProtocols: string[]): URL {
  let url: URL;
  try {
    url = new URL(remoteUrl);
  } catch {
    throw new GithubError("invalid_input", `remote is not a URL: ${scrub(remoteUrl, null)}`);
  }
  const protocol = url.protocol.replace(/:$/, "");
  if (!allowProtocols.includes(protocol)) throw new GithubError("policy_denied", `remote protocol ${protocol} is not allowed (allowed: ${allowProtocols.join(", ")})`);
  if (url.username || url.password) throw new GithubError("invalid_input", `the remote URL must not carry credentials: ${scrub(url.origin, null)}; the token is passed separately`);
  return url;
}

/** git's ref rules (check-ref-format), plus no leading "-" so it can never read as an option. */
function validBranch(branch: string): boolean {
  if (!branch || branch.startsWith("-") || branch.startsWith("/") || branch.endsWith("/") || branch.endsWith(".") || branch === "@") return false;
  if (/[\x00-\x20\x7f~^:?*[\\]|\.\.|\/\/|@\{|\/\.|\.lock(\/|$)/.test(branch)) return false;
  return !branch.startsWith(".");
}

/** `--porcelain` prints `<flag>\t<from>:<to>\t<summary>` per ref; flag `=` up to date, `!` rejected. */
function refLine(stdout: string, ref: string): { flag: string; summary: string } | null {
  for (const line of stdout.split("\n")) {
    const [flag, refs, summary] = line.split("\t");
    if (flag && summary !== undefined && refs?.endsWith(`:${ref}`)) return { flag, summary };
  }
  return null;
}
