import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { isProcessAlive, readServerInfo } from "../src/runtime-dir/server-file.ts";
import { readSupervisorInfo } from "../src/runtime-dir/supervisor-file.ts";
import { makeRepo, PUSHPALS_BIN, type RepoOptions } from "./helpers/cluster.ts";
import { tempDir } from "./helpers/temp.ts";

/**
 * Every preflight finding (PP001..PP012; PP012 has its own tests in src/preflight/toolchains.test.ts), shown through the real CLI: `pushpals doctor` (human and
 * --json) and, for errors, `pushpals start` refusing with exit 6 and printing the finding and its fix.
 */

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups.reverse()) c();
});

function scratch(prefix?: string): string {
  const dir = tempDir(prefix);
  cleanups.push(dir.cleanup);
  return dir.path;
}

async function repo(options: RepoOptions = {}) {
  const r = await makeRepo(options);
  cleanups.push(r.cleanup);
  return r;
}

/** The test's environment without PushPals overrides a developer may have set, and without colour. */
const BASE_ENV: Record<string, string> = Object.fromEntries(
  Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !e[0].startsWith("PUSHPALS_")),
);
BASE_ENV.NO_COLOR = "1";

interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together (errors go to stderr, the rest to stdout). */
  all: string;
}

/** Runs `pushpals ...` as a real process in `cwd` and waits for it (killed after 30 s so a hang fails the test). */
async function pushpals(cwd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const proc = Bun.spawn([PUSHPALS_BIN, ...args], { cwd, stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { ...BASE_ENV, ...env }, timeout: 30_000 });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { exitCode, stdout, stderr, all: stdout + stderr };
}

interface Printed {
  level: "error" | "warn" | "ok";
  message: string;
  fix: string | null;
}

/** The findings with `code` as printed by doctor/start: `<level> <code> <message>` then `        fix: <fix>`. */
function printed(output: string, code: string): Printed[] {
  const lines = output.split("\n");
  const out: Printed[] = [];
  lines.forEach((line, i) => {
    const m = /^(error|warn |ok   ) (PP\d{3}) (.*)$/.exec(line);
    if (!m || m[2] !== code) return;
    const next = lines[i + 1] ?? "";
    out.push({ level: m[1]!.trim() as Printed["level"], message: m[3]!, fix: next.startsWith("        fix: ") ? next.slice("        fix: ".length) : null });
  });
  return out;
}

/** Exactly one finding with `code` at `level`, whose message and fix match. */
function expectPrinted(output: string, code: string, level: Printed["level"], message: RegExp, fix?: RegExp): Printed {
  const found = printed(output, code).filter((f) => f.level === level);
  if (found.length !== 1) throw new Error(`expected one ${level} ${code} in:\n${output}`);
  const f = found[0]!;
  expect(f.message).toMatch(message);
  if (fix) expect(f.fix ?? "").toMatch(fix);
  else expect(f.fix).toBeNull();
  return f;
}

/** doctor reports the error (on stderr, exit 1); start refuses with exit 6, printing the same finding and fix. */
async function expectRefused(cwd: string, code: string, message: RegExp, fix: RegExp, env: Record<string, string> = {}): Promise<void> {
  const doctor = await pushpals(cwd, ["doctor"], env);
  expect(doctor.exitCode).toBe(1);
  expectPrinted(doctor.stderr, code, "error", message, fix);

  const start = await pushpals(cwd, ["start", "--detach", "--workers", "1"], env);
  expect(start.exitCode).toBe(6);
  expectPrinted(start.stderr, code, "error", message, fix);
  expect(start.stderr).toContain("pushpals: preflight failed; fix the errors above and run `pushpals start` again");
  expect(start.stdout).not.toContain("all systems online");
}

/** A directory of symlinks to the given executables (by their current absolute paths). */
function binDir(names: string[]): string {
  const dir = scratch("pushpals-bin-");
  for (const name of names) {
    const target = Bun.which(name, { PATH: BASE_ENV.PATH });
    if (!target) throw new Error(`${name} is not on PATH`);
    symlinkSync(target, join(dir, name));
  }
  return dir;
}

/** PATH with `name` made absent: each PATH entry holding it is replaced by a copy (of symlinks) without it. */
function pathWithout(name: string): string {
  return (BASE_ENV.PATH ?? "")
    .split(delimiter)
    .map((dir) => {
      if (!dir || !existsSync(join(dir, name))) return dir;
      const shadow = scratch("pushpals-path-");
      for (const entry of readdirSync(dir)) if (entry !== name) symlinkSync(join(dir, entry), join(shadow, entry));
      return shadow;
    })
    .join(delimiter);
}

const REAL_GIT = Bun.which("git", { PATH: BASE_ENV.PATH });

describe("errors: doctor reports them, start refuses (exit 6)", () => {
  test("PP001 git missing: a clear message naming git and how to install it, exit 6, no stack trace", async () => {
    const { root } = await repo();
    // Only what bin/pushpals itself needs (readlink, dirname) and bun: no git.
    const env = { PATH: binDir(["bun", "readlink", "dirname"]) };
    expect(Bun.which("git", env)).toBeNull();
    // Without git PushPals cannot even find the repository: doctor reports it as the PP001 finding,
    // every other command stops at once with the environment exit code and the fix.
    const doctor = await pushpals(root, ["doctor"], env);
    expect(doctor.exitCode).toBe(1);
    expect(doctor.stderr).toMatch(/error PP001 could not run git in .*"git"/);
    expect(doctor.stderr).toMatch(/fix: install git \(2\.25 or newer\)/);
    for (const args of [["start", "--detach", "--workers", "1"], ["status"]]) {
      const r = await pushpals(root, args, env);
      expect(r.exitCode).toBe(6);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/^pushpals: could not run git in .*: .*"git"/);
      expect(r.stderr).toMatch(/\n {2}fix: install git \(2\.25 or newer\) and make sure it is on PATH\n$/);
      expect(r.stderr).not.toMatch(/not inside a git repository|unexpected error|\bat .*\.ts:\d+/);
    }
    const json = await pushpals(root, ["doctor", "--json"], env);
    expect(json.exitCode).toBe(1);
    const report = JSON.parse(json.stdout) as { ok: boolean; findings: { code: string; level: string; message: string; fix: string }[] };
    expect(report.ok).toBe(false);
    expect(report.findings).toEqual([{ code: "PP001", level: "error", message: expect.stringMatching(/could not run git/), fix: expect.stringMatching(/install git \(2\.25 or newer\)/) }]);
  });

  test("PP002 git too old", async () => {
    const { root } = await repo();
    const fake = scratch("pushpals-oldgit-");
    writeFileSync(
      join(fake, "git"),
      `#!/bin/sh\nfor a in "$@"; do [ "$a" = --version ] && { echo "git version 2.1.0"; exit 0; }; done\nexec ${REAL_GIT} "$@"\n`,
      { mode: 0o755 },
    );
    const env = { PATH: `${fake}${delimiter}${BASE_ENV.PATH}` };
    await expectRefused(root, "PP002", /^git 2\.1 is too old \(job checkouts need 2\.25\+\)$/, /^upgrade git to 2\.25 or newer$/, env);
    // Everything else still works through the delegating git: only the version is wrong.
    expectPrinted((await pushpals(root, ["doctor"], env)).stdout, "PP003", "ok", /^HEAD is [0-9a-f]{12}$/);
  });

  test("PP003 a repository without commits", async () => {
    const root = scratch("pushpals-empty-");
    expect(Bun.spawnSync(["git", "init", "-q", "-b", "main"], { cwd: root }).exitCode).toBe(0);
    await expectRefused(root, "PP003", /^the repository has no commits yet: jobs run on exact commits$/, /^commit something first: git add -A && git commit -m "initial"$/);
  });

  test("PP004 invalid config: the file, the key, the rule and the value", async () => {
    const { root } = await repo({ configToml: "[workers]\ncount = 0\n" });
    const message = /\.pushpals\/config\.toml: workers\.count: .*>=1.*\(got 0\)$/;
    await expectRefused(root, "PP004", message, /^set workers\.count to a valid value$/);
    // Without --workers, start reads workers.count itself before preflight; the file and key must still be named.
    const bare = await pushpals(root, ["start", "--detach"]);
    expect([2, 6]).toContain(bare.exitCode);
    expect(bare.stderr).toMatch(/\.pushpals\/config\.toml: workers\.count: .*\(got 0\)\n[\s\S]*fix: set workers\.count to a valid value/);
    expect(bare.stdout).not.toContain("all systems online");
  });

  test("PP005 runtime directory not writable (a file is where the directory should be)", async () => {
    const { root } = await repo();
    const runtime = join(root, ".git", "pushpals");
    writeFileSync(runtime, "not a directory\n");
    await expectRefused(root, "PP005", /^the runtime directory .*\/\.git\/pushpals exists but is not a directory$/, /^move it out of the way .*: mv .*\/\.git\/pushpals .*\/\.git\/pushpals\.bak$/);
    expect(readFileSync(runtime, "utf8")).toBe("not a directory\n");
  });

  test("PP006 low disk (threshold raised through PUSHPALS_MIN_FREE_MB)", async () => {
    const { root } = await repo();
    const env = { PUSHPALS_MIN_FREE_MB: String(2 ** 40) };
    await expectRefused(root, "PP006", /^only \d+ (MB|GB) free where the runtime lives \(.*\/\.git\/pushpals\); worktrees need at least \d+ GB$/, /^free at least \d+ GB of disk on that file system$/, env);
    expectPrinted((await pushpals(root, ["doctor"])).stdout, "PP006", "ok", /^\d+ (MB|GB) free$/);
    // A value that is not a number is not silently ignored.
    const bad = await pushpals(root, ["doctor"], { PUSHPALS_MIN_FREE_MB: "lots" });
    expect(bad.exitCode).toBe(0);
    expectPrinted(bad.stdout, "PP006", "warn", /^PUSHPALS_MIN_FREE_MB="lots" is not a number of megabytes; using 500 MB$/, /^unset PUSHPALS_MIN_FREE_MB/);
  });

  test("PP007 the configured port is taken", async () => {
    const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      const { root } = await repo({ configToml: `[server]\nport = ${listener.port}\n` });
      await expectRefused(root, "PP007", new RegExp(`^port ${listener.port} on 127\\.0\\.0\\.1 is already in use$`), /^set server\.port = 0 \(any free port\) or another port in \.pushpals\/config\.toml, or stop what uses it/);
    } finally {
      listener.stop(true);
    }
  });
});

describe("the sandbox (PP009 errors, PP011 when it is off)", () => {
  const lastResort = /, or, as a last resort, set sandbox\.mode = "off" in \.pushpals\/config\.toml$/;

  test("PP009 bubblewrap missing: an error naming the package, start refuses", async () => {
    const { root } = await repo();
    const env = { PATH: pathWithout("bwrap") };
    expect(Bun.which("bwrap", env)).toBeNull();
    await expectRefused(root, "PP009", /^bubblewrap \(bwrap\) is not installed, so job commands cannot be sandboxed$/, new RegExp(`^install it: apt-get install bubblewrap${lastResort.source}`), env);
  });

  test("PP009 bubblewrap installed but unable to create a sandbox (no user namespaces): bwrap's own words and the fixes", async () => {
    const { root } = await repo();
    const fake = scratch("pushpals-nouserns-");
    const realBwrap = Bun.which("bwrap", { PATH: BASE_ENV.PATH });
    // What bwrap says where unprivileged user namespaces are disabled; --help and --version are the real ones.
    writeFileSync(
      join(fake, "bwrap"),
      `#!/bin/sh\ncase "$1" in --help|--version) exec ${realBwrap} "$1";; esac\necho "bwrap: No permissions to create new namespace, likely because the kernel does not allow non-privileged user namespaces." >&2\nexit 1\n`,
      { mode: 0o755 },
    );
    const env = { PATH: `${fake}${delimiter}${BASE_ENV.PATH}` };
    await expectRefused(
      root,
      "PP009",
      /^bubblewrap [\d.]+ cannot start a sandbox here: bwrap: No permissions to create new namespace, likely because the kernel does not allow non-privileged user namespaces\.$/,
      new RegExp(`^enable unprivileged user namespaces \\(sysctl -w kernel\\.unprivileged_userns_clone=1.*\\)${lastResort.source}`),
      env,
    );
  });

  test("PP009 ok: a real sandbox starts, and how processes are limited is named", async () => {
    const { root } = await repo();
    const doctor = await pushpals(root, ["doctor"]);
    expectPrinted(doctor.stdout, "PP009", "ok", /^bubblewrap [\d.]+ sandbox works \(memory: (cgroup per command|resident memory watched per command); processes: (pids cgroup|RLIMIT_NPROC); \/tmp and \/dev\/shm: sized; ptrace: blocked\)$/);
    expect(printed(doctor.stdout, "PP011")).toEqual([]);
  });
});

describe("warnings: reported, and start still proceeds", () => {
  const started: string[] = [];

  /** Stops what a test started, even when it failed half-way; kills by recorded pid as a last resort. */
  afterEach(async () => {
    for (const root of started.splice(0)) {
      const paths = { supervisor: join(root, ".git/pushpals/supervisor.json"), server: join(root, ".git/pushpals/server.json") };
      const pids = [readSupervisorInfo(paths.supervisor)?.pid, readServerInfo(paths.server)?.pid].filter((p): p is number => p !== undefined);
      await pushpals(root, ["stop", "--timeout", "15"]);
      for (const pid of pids) {
        if (!isProcessAlive(pid)) continue;
        try {
          process.kill(pid, "SIGKILL");
        } catch {}
      }
    }
  });

  async function start(root: string, env: Record<string, string> = {}): Promise<Run> {
    started.push(root);
    const r = await pushpals(root, ["start", "--detach", "--workers", "1"], env);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/all systems online at http:\/\/127\.0\.0\.1:\d+/);
    return r;
  }

  async function stop(root: string): Promise<void> {
    const r = await pushpals(root, ["stop", "--timeout", "15"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/stopped \(pid \d+\)/);
  }

  test("PP004 no check commands configured: a warning with the fix; with checks it is ok", async () => {
    const bare = await repo();
    const r = await pushpals(bare.root, ["doctor"]);
    expect(r.exitCode).toBe(0);
    expectPrinted(r.stdout, "PP004", "warn", /^config valid but no check commands are configured$/, /pushpals init.*\[\[checks\.commands\]\]/);
    const withChecks = await repo({ configToml: '[[checks.commands]]\nname = "test"\nrun = "true"\n' });
    expectPrinted((await pushpals(withChecks.root, ["doctor"])).stdout, "PP004", "ok", /^config valid; checks: test$/);
  });

  test("PP008 stale runtime files: doctor warns and changes nothing; start recovers and says so", async () => {
    const { root, paths } = await repo();
    const dead = Bun.spawn(["true"]);
    await dead.exited;
    expect(isProcessAlive(dead.pid)).toBe(false);
    mkdirSync(paths.runtimeDir, { recursive: true });
    const serverJson = `${JSON.stringify({ pid: dead.pid, port: 45678, url: "http://127.0.0.1:45678", startedAt: 1, version: "0.0.0" })}\n`;
    const supervisorJson = `${JSON.stringify({ pid: dead.pid, state: "online", url: "http://127.0.0.1:45678", startedAt: 1, onlineAt: 2, workers: 1, error: null })}\n`;
    writeFileSync(paths.serverFile, serverJson);
    writeFileSync(paths.supervisorFile, supervisorJson);

    const doctor = await pushpals(root, ["doctor"]);
    expect(doctor.exitCode).toBe(0);
    const stale = `server\\.json \\(pid ${dead.pid} is gone\\), supervisor\\.json \\(pid ${dead.pid} is gone\\)`;
    expectPrinted(doctor.stdout, "PP008", "warn", new RegExp(`^a crashed earlier run left ${stale}$`), /^`pushpals start` recovers it automatically$/);
    expect(readFileSync(paths.serverFile, "utf8")).toBe(serverJson);
    expect(readFileSync(paths.supervisorFile, "utf8")).toBe(supervisorJson);
    const json = JSON.parse((await pushpals(root, ["doctor", "--json"])).stdout) as { ok: boolean; findings: { code: string; level: string }[] };
    expect(json.ok).toBe(true);
    expect(json.findings.find((f) => f.code === "PP008")?.level).toBe("warn");
    expect(readFileSync(paths.serverFile, "utf8")).toBe(serverJson);

    const r = await start(root);
    expectPrinted(r.stdout, "PP008", "warn", new RegExp(`^recovered from a crashed earlier run: removed ${stale}$`), /^see why it crashed in the logs: .*\/\.git\/pushpals\/logs$/);
    // The stale files were replaced by the new run's own.
    const supervisor = readSupervisorInfo(paths.supervisorFile)!;
    expect(supervisor.pid).not.toBe(dead.pid);
    expect(isProcessAlive(supervisor.pid)).toBe(true);
    expect(readServerInfo(paths.serverFile)!.pid).not.toBe(dead.pid);
    expect(r.stdout).toContain(`running in the background (supervisor pid ${supervisor.pid})`);

    await stop(root);
    expect(existsSync(paths.supervisorFile)).toBe(false);
    expect(existsSync(paths.serverFile)).toBe(false);
    expectPrinted((await pushpals(root, ["doctor"])).stdout, "PP008", "ok", /^no stale runtime files$/);
  }, 40_000);

  test("PP011 sandbox off: a loud warning on doctor and on every start, which still goes online; doctor does not mistake our own server for a port clash", async () => {
    const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const port = probe.port;
    probe.stop(true);
    const { root, paths } = await repo({ configToml: `[server]\nport = ${port}\n` });
    // Off, bubblewrap is not needed at all.
    const env = { PATH: pathWithout("bwrap"), PUSHPALS_SANDBOX_MODE: "off" };
    const warning = /^SANDBOX OFF: sandbox\.mode is "off", so job commands \(checks, installs, codemods\) run unconfined with this user's files, network and credentials$/;
    const fix = /^install bubblewrap \(apt-get install bubblewrap\) and remove sandbox\.mode = "off"/;

    const doctor = await pushpals(root, ["doctor"], env);
    expect(doctor.exitCode).toBe(0);
    expectPrinted(doctor.stdout, "PP011", "warn", warning, fix);
    expectPrinted(doctor.stdout, "PP018", "ok", /^structured merge driver: mergiraf is not installed \(optional: with it on PATH, more conflicts resolve without a person\)$/);
    // Off, the checkouts leave the repository (#13): doctor says where, and that nothing above them leaks in.
    expectPrinted(doctor.stdout, "PP017", "ok", /^job checkouts \(sandbox off\) go to \/.*\/pushpals\/checkouts\/[0-9a-f]{16}, with nothing tools look up above it$/);
    expect(printed(doctor.stdout, "PP009")).toEqual([]);
    expectPrinted(doctor.stdout, "PP007", "ok", new RegExp(`^port ${port} on 127\\.0\\.0\\.1 is free$`));

    const r = await start(root, env);
    expectPrinted(r.stdout, "PP011", "warn", warning, fix);
    expect(r.stdout).toContain(`all systems online at http://127.0.0.1:${port}`);

    // While it runs, the port is held by this repository's own server: not an error.
    const running = await pushpals(root, ["doctor"], env);
    expect(running.stderr).toBe("");
    expect(running.exitCode).toBe(0);
    expectPrinted(running.stdout, "PP007", "ok", new RegExp(`^port ${port} on 127\\.0\\.0\\.1 is held by this repository's PushPals server \\(pid ${readServerInfo(paths.serverFile)!.pid}\\)$`));
    await stop(root);
  }, 40_000);
});

describe("doctor --json", () => {
  interface Report {
    ok: boolean;
    findings: { code: string; level: string; message: string; fix?: string }[];
  }

  function expectShape(report: Report): void {
    expect(Object.keys(report).sort()).toEqual(["findings", "ok"]);
    expect(report.findings.length).toBeGreaterThan(0);
    for (const f of report.findings) {
      expect(f.code).toMatch(/^PP0\d\d$/);
      expect(["error", "warn", "ok"]).toContain(f.level);
      expect(typeof f.message).toBe("string");
      expect(f.message.length).toBeGreaterThan(0);
      if (f.level === "ok") expect(Object.keys(f).sort()).toEqual(["code", "level", "message"]);
      else {
        expect(Object.keys(f).sort()).toEqual(["code", "fix", "level", "message"]);
        expect(f.fix!.length).toBeGreaterThan(0);
      }
    }
    expect(report.ok).toBe(!report.findings.some((f) => f.level === "error"));
  }

  test("healthy repository (warnings only): ok true, exit 0, every check reported", async () => {
    const { root } = await repo();
    const r = await pushpals(root, ["doctor", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expectShape(report);
    expect(report.ok).toBe(true);
    expect(report.findings.map((f) => f.code)).toEqual(["PP001", "PP003", "PP004", "PP013", "PP015", "PP016", "PP005", "PP006", "PP008", "PP010", "PP009", "PP018"]);
    expect(report.findings.find((f) => f.code === "PP004")).toMatchObject({ level: "warn", message: "config valid but no check commands are configured" });
  });

  test("any error: ok false, exit 1, the error with its fix", async () => {
    const root = scratch("pushpals-empty-");
    expect(Bun.spawnSync(["git", "init", "-q", "-b", "main"], { cwd: root }).exitCode).toBe(0);
    writeFileSync(join(root, ".git", "pushpals"), "");
    const r = await pushpals(root, ["doctor", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expectShape(report);
    expect(report.ok).toBe(false);
    expect(report.findings.filter((f) => f.level === "error").map((f) => f.code)).toEqual(["PP003", "PP005"]);
    expect(report.findings.find((f) => f.code === "PP003")).toEqual({
      code: "PP003",
      level: "error",
      message: "the repository has no commits yet: jobs run on exact commits",
      fix: 'commit something first: git add -A && git commit -m "initial"',
    });
  });

  test("doctor changes nothing: no runtime directory is created", async () => {
    const { root, paths } = await repo();
    const r = await pushpals(root, ["doctor", "--json"]);
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.findings.find((f) => f.code === "PP005")).toMatchObject({ level: "ok", message: expect.stringContaining("can be created") });
    expect(existsSync(paths.runtimeDir)).toBe(false);
  });
});
