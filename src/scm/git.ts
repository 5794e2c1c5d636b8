import { PushpalsError } from "../core/errors.ts";

export interface GitIdentity {
  name: string;
  email: string;
}

export interface GitOptions {
  cwd: string;
  timeoutMs?: number;
  /** Return the failed result instead of throwing. */
  allowFailure?: boolean;
  /** Author and committer of any commit this call creates (overrides user.name/user.email). */
  identity?: GitIdentity;
  /**
   * Transports this call may use (e.g. ["ssh", "https"] for a future push). Default: none at all, not
   * even `file`, so no fetch, clone or remote helper runs during agent work.
   */
  allowProtocols?: string[];
  /** A private index (GIT_INDEX_FILE) so the worktree's own index stays untouched. */
  indexFile?: string;
  /** Write new objects to `objectDir`, read existing ones from `realObjectDir` too (a quarantine). */
  quarantine?: { objectDir: string; realObjectDir: string };
  /** Bytes fed to git's stdin (default: none). */
  stdin?: string;
  /**
   * Run against this git directory and work tree (`--git-dir`, `--work-tree`) instead of discovering
   * them from `cwd`: for a job checkout, whose own `.git` is the sandbox's and never read by the host.
   */
  repo?: { gitDir: string; workTree?: string };
  /**
   * Without the user's global git config and attributes: HOME is /dev/null (so no ~/.gitconfig, no
   * $XDG_CONFIG_HOME/git/config, attributes or ignore file is found, on any git version) and
   * GIT_CONFIG_GLOBAL=/dev/null. For every call on a job checkout or a merge of untrusted content, whose
   * result must not depend on this machine (a conflict style, a global `* merge=union`) nor run a filter
   * or merge driver that the user's config defines and a committed .gitattributes picks.
   */
  noGlobalConfig?: boolean;
}

export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** The only variables inherited from our own environment; everything else (tokens, GIT_DIR, SSH_AUTH_SOCK...) is dropped. */
const INHERITED = ["PATH", "HOME", "XDG_CONFIG_HOME", "TZ", "TMPDIR"];
const PROTOCOL = /^[a-z][a-z0-9+.-]*$/;

/** The complete environment of a git child process. */
export function gitEnv(options: Omit<GitOptions, "cwd"> = {}, parent: Record<string, string | undefined> = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of INHERITED) {
    const value = parent[key];
    if (value !== undefined) env[key] = value;
  }
  Object.assign(env, {
    LANG: "C",
    LC_ALL: "C",
    GIT_TERMINAL_PROMPT: "0",
    // An empty (but set) GIT_ASKPASS stops git falling back to core.askPass or SSH_ASKPASS.
    GIT_ASKPASS: "",
    GIT_EDITOR: "false",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_ATTR_NOSYSTEM: "1",
    GIT_OPTIONAL_LOCKS: "0",
    GIT_NO_REPLACE_OBJECTS: "1",
    // Unlike protocol.allow, this also overrides any protocol.<name>.allow=always in repository config.
    GIT_ALLOW_PROTOCOL: protocols(options).join(":"),
  });
  if (options.identity) {
    const { name, email } = options.identity;
    Object.assign(env, { GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: email, GIT_COMMITTER_NAME: name, GIT_COMMITTER_EMAIL: email });
  }
  if (options.indexFile) env.GIT_INDEX_FILE = options.indexFile;
  if (options.noGlobalConfig) {
    env.HOME = "/dev/null";
    delete env.XDG_CONFIG_HOME;
    env.GIT_CONFIG_GLOBAL = "/dev/null";
  }
  if (options.quarantine) {
    env.GIT_OBJECT_DIRECTORY = options.quarantine.objectDir;
    env.GIT_ALTERNATE_OBJECT_DIRECTORIES = options.quarantine.realObjectDir;
  }
  return env;
}

/** `-c` settings that override repository and global config for every call. */
export function gitConfigArgs(options: Omit<GitOptions, "cwd"> = {}): string[] {
  const config = [
    "core.hooksPath=/dev/null",
    "core.fsmonitor=false",
    "credential.helper=",
    "gc.auto=0",
    "maintenance.auto=false",
    // A job checkout's index holds every file: never let a sparse-checkout setting hide some from the host.
    "core.sparseCheckout=false",
  ];
  if (protocols(options).length === 0) config.push("protocol.allow=never", "protocol.file.allow=never");
  return config.flatMap((c) => ["-c", c]);
}

function protocols(options: Omit<GitOptions, "cwd">): string[] {
  const list = options.allowProtocols ?? [];
  for (const p of list) {
    if (!PROTOCOL.test(p)) throw new PushpalsError("invalid_input", `bad git protocol name ${JSON.stringify(p)}`);
  }
  return list;
}

/**
 * Runs the real git CLI hardened for agent work: bounded time, no hooks, no fsmonitor command, no
 * credential helper or prompt, no transport (unless `allowProtocols`), no system config, and an
 * allowlisted environment so nothing inherited can redirect git (GIT_DIR...) or reach it (tokens).
 * safe.directory is left alone: PushPals only runs git in the repository and in worktrees it created
 * as the same user, where git's ownership check passes; anything else is the user's call to trust.
 */
export async function git(args: string[], options: GitOptions): Promise<GitResult> {
  const r = await gitBytes(args, options);
  return { stdout: new TextDecoder().decode(r.stdout), stderr: r.stderr, exitCode: r.exitCode };
}

/** `git`, with stdout as bytes: for `cat-file --batch`, whose object sizes count bytes, not characters. */
export async function gitBytes(args: string[], options: GitOptions): Promise<{ stdout: Uint8Array; stderr: string; exitCode: number }> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const location = options.repo ? [`--git-dir=${options.repo.gitDir}`, ...(options.repo.workTree ? [`--work-tree=${options.repo.workTree}`] : [])] : [];
  const child = Bun.spawn(["git", ...location, ...gitConfigArgs(options), ...args], {
    cwd: options.cwd,
    stdin: options.stdin === undefined ? "ignore" : new TextEncoder().encode(options.stdin),
    stdout: "pipe",
    stderr: "pipe",
    env: gitEnv(options),
    timeout: timeoutMs,
    killSignal: "SIGKILL",
  });
  const [buffer, stderr, exitCode] = await Promise.all([new Response(child.stdout).arrayBuffer(), new Response(child.stderr).text(), child.exited]);
  const stdout = new Uint8Array(buffer);
  if (child.signalCode) {
    throw new PushpalsError("git_failed", `git ${args[0]} did not finish within ${timeoutMs} ms (killed)`, {
      hint: "check for a hung credential helper, a huge repository or a slow disk",
      details: { args },
    });
  }
  if (exitCode !== 0 && !options.allowFailure) {
    throw new PushpalsError("git_failed", `git ${args.join(" ")} failed (exit ${exitCode}): ${stderr.trim() || new TextDecoder().decode(stdout).trim()}`, {
      details: { args, exitCode },
    });
  }
  return { stdout, stderr, exitCode };
}
