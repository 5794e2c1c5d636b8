import { afterAll, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../../test/helpers/temp.ts";
import { GithubError } from "./github-error.ts";
import { pushBranch, pushPlan, type PushBranchOptions } from "./push-branch.ts";

const TOKEN = "pp-push-credential-7d2e9b";
const dirs: (() => void)[] = [];
afterAll(() => dirs.forEach((cleanup) => cleanup()));

function sh(cwd: string, ...args: string[]): string {
  const r = Bun.spawnSync(["git", ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
}

/** A work repository with two unrelated commits and an empty bare remote next to it. */
function fixture(): { root: string; remote: string; remoteUrl: string; a: string; b: string } {
  const dir = tempDir("pushpals-push-");
  dirs.push(dir.cleanup);
  const root = join(dir.path, "work");
  const remote = join(dir.path, "remote.git");
  sh(dir.path, "init", "-q", "--bare", remote);
  sh(dir.path, "init", "-q", "-b", "main", root);
  const commit = (msg: string) => {
    sh(root, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "--allow-empty", "-m", msg);
    return sh(root, "rev-parse", "HEAD");
  };
  return { root, remote, remoteUrl: `file://${remote}`, a: commit("a"), b: commit("b") };
}

function remoteHead(remote: string, branch: string): string | null {
  const r = Bun.spawnSync(["git", "rev-parse", "--verify", "--quiet", `refs/heads/${branch}`], { cwd: remote, stdout: "pipe" });
  return r.exitCode === 0 ? r.stdout.toString().trim() : null;
}

async function rejected(p: Promise<unknown>): Promise<GithubError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GithubError);
  return err as GithubError;
}

const BRANCH = "pushpals/job-1";

test("the first push creates the branch; pushing the same commit again is up to date", async () => {
  const f = fixture();
  const base = { repoRoot: f.root, remoteUrl: f.remoteUrl, branch: BRANCH, token: TOKEN, allowProtocols: ["file"] };
  expect(await pushBranch({ ...base, sha: f.a, expectedRemoteSha: null })).toEqual({ upToDate: false });
  expect(remoteHead(f.remote, BRANCH)).toBe(f.a);
  expect(await pushBranch({ ...base, sha: f.a, expectedRemoteSha: f.a })).toEqual({ upToDate: true });
});

test("a push moves the branch only from the expected commit; a stale lease is a conflict and changes nothing", async () => {
  const f = fixture();
  const base = { repoRoot: f.root, remoteUrl: f.remoteUrl, branch: BRANCH, token: null, allowProtocols: ["file"] };
  await pushBranch({ ...base, sha: f.b, expectedRemoteSha: null });

  const stale = await rejected(pushBranch({ ...base, sha: f.a, expectedRemoteSha: f.a }));
  expect(stale.failureClass).toBe("conflict");
  expect(stale.message).toContain("stale info");
  expect(remoteHead(f.remote, BRANCH)).toBe(f.b);

  const exists = await rejected(pushBranch({ ...base, sha: f.a, expectedRemoteSha: null }));
  expect(exists.failureClass).toBe("conflict");
  expect(remoteHead(f.remote, BRANCH)).toBe(f.b);

  // Not a fast-forward (b -> its parent a), but the lease holds: the branch moves.
  expect(await pushBranch({ ...base, sha: f.a, expectedRemoteSha: f.b })).toEqual({ upToDate: false });
  expect(remoteHead(f.remote, BRANCH)).toBe(f.a);
});

test("only the allowed transports run: a file remote is refused by default (https only)", async () => {
  const f = fixture();
  const err = await rejected(pushBranch({ repoRoot: f.root, remoteUrl: f.remoteUrl, branch: BRANCH, sha: f.a, expectedRemoteSha: null, token: null }));
  expect(err.failureClass).toBe("policy_denied");
  expect(remoteHead(f.remote, BRANCH)).toBeNull();
});

test("bad inputs are refused before git runs: credentials in the URL, option-like or invalid branch names, short SHAs", () => {
  const ok: PushBranchOptions = { repoRoot: "/nonexistent", remoteUrl: "https://github.com/o/r.git", branch: BRANCH, sha: "a".repeat(40), expectedRemoteSha: null, token: TOKEN };
  const refused = (o: Partial<PushBranchOptions>) => {
    try {
      pushPlan({ ...ok, ...o });
    } catch (e) {
      return e instanceof GithubError ? e : null;
    }
    return null;
  };
  expect(refused({})).toBeNull();
  expect(refused({ remoteUrl: `https://x-access-token:${TOKEN}@github.com/o/r.git` })?.message).not.toContain(TOKEN);
  expect(refused({ remoteUrl: `https://x-access-token:${TOKEN}@github.com/o/r.git` })?.failureClass).toBe("invalid_input");
  for (const branch of ["--upload-pack=x", "a..b", "a b", "a:b", "x.lock", "a//b", "", "refs/heads/x~1"]) {
    expect(refused({ branch })?.failureClass).toBe("invalid_input");
  }
  expect(refused({ sha: "abc123" })?.failureClass).toBe("invalid_input");
  expect(refused({ expectedRemoteSha: "HEAD" })?.failureClass).toBe("invalid_input");
});

test("the push's argv never holds the token; the environment carries it as an extra header scoped to the remote URL", () => {
  const remoteUrl = "https://github.com/octo/app.git";
  const plan = pushPlan({ repoRoot: "/r", remoteUrl, branch: BRANCH, sha: "a".repeat(40), expectedRemoteSha: "b".repeat(40), token: TOKEN });
  const basic = Buffer.from(`x-access-token:${TOKEN}`).toString("base64");
  expect(plan.argv.join("\0")).not.toContain(TOKEN);
  expect(plan.argv.join("\0")).not.toContain(basic);
  expect(plan.argv.slice(-4)).toEqual([`--force-with-lease=refs/heads/${BRANCH}:${"b".repeat(40)}`, "--", remoteUrl, `${"a".repeat(40)}:refs/heads/${BRANCH}`]);
  expect(plan.argv).toContain("credential.helper=");
  expect(plan.env).toMatchObject({
    GIT_ALLOW_PROTOCOL: "https",
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: `http.${remoteUrl}.extraheader`,
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
  });
  expect(plan.env.PUSHPALS_GITHUB_TOKEN).toBeUndefined();
  expect(plan.env.GITHUB_TOKEN).toBeUndefined();
});

test("over http the server receives the token as Basic auth, while no process's command line holds it", async () => {
  const f = fixture();
  const seen: { auth: string | null; cmdlinesWithToken: string[]; cmdlinesScanned: number }[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      // git and its remote helper are alive and waiting on this answer right now.
      const cmdlines = readdirSync("/proc")
        .filter((pid) => /^\d+$/.test(pid))
        .map((pid) => {
          try {
            return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
          } catch {
            return "";
          }
        });
      const basic = Buffer.from(`x-access-token:${TOKEN}`).toString("base64");
      seen.push({ auth: req.headers.get("authorization"), cmdlinesWithToken: cmdlines.filter((c) => c.includes(TOKEN) || c.includes(basic)), cmdlinesScanned: cmdlines.filter((c) => c.includes(`127.0.0.1:${server.port}`)).length });
      return new Response(`denied for ${TOKEN}`, { status: 403 });
    },
  });
  try {
    const remoteUrl = `http://127.0.0.1:${server.port}/octo/app.git`;
    const err = await rejected(pushBranch({ repoRoot: f.root, remoteUrl, branch: BRANCH, sha: f.a, expectedRemoteSha: null, token: TOKEN, allowProtocols: ["http"] }));
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]?.auth).toBe(`Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString("base64")}`);
    expect(seen[0]?.cmdlinesScanned).toBeGreaterThan(0); // the scan did see the git processes
    expect(seen.flatMap((s) => s.cmdlinesWithToken)).toEqual([]);
    expect(err.failureClass).toBe("environment");
    expect(JSON.stringify({ message: err.message, evidence: err.evidence })).not.toContain(TOKEN);
  } finally {
    server.stop(true);
  }
});

test("the audit anchor rides along without force: pushed while it extends the remote's copy, refused (and reported, the branch still pushed) once it does not", async () => {
  const f = fixture();
  const base = { repoRoot: f.root, remoteUrl: f.remoteUrl, branch: BRANCH, token: null, allowProtocols: ["file"] };
  const ref = "refs/pushpals/audit";
  const first = await pushBranch({ ...base, sha: f.a, expectedRemoteSha: null, alsoFastForward: { ref, sha: f.a } });
  expect(first.anchor?.ok).toBe(true);
  expect(sh(f.remote, "rev-parse", ref)).toBe(f.a);
  expect((await pushBranch({ ...base, sha: f.b, expectedRemoteSha: f.a, alsoFastForward: { ref, sha: f.b } })).anchor?.ok).toBe(true);
  expect(sh(f.remote, "rev-parse", ref)).toBe(f.b);
  // The local anchor rewound to an older head: the remote keeps its copy, the branch push still lands.
  const rewound = await pushBranch({ ...base, branch: "pushpals/job-2", sha: f.a, expectedRemoteSha: null, alsoFastForward: { ref, sha: f.a } });
  expect(rewound.anchor).toMatchObject({ ok: false });
  expect(sh(f.remote, "rev-parse", ref)).toBe(f.b);
  expect(remoteHead(f.remote, "pushpals/job-2")).toBe(f.a);
});
