import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runtimePathsFor, type RuntimePaths } from "../runtime-dir/paths.ts";
import type { Finding } from "./finding.ts";
import { hasErrors, MIN_FREE_ENV, preflight } from "./preflight.ts";

const root = mkdtempSync(join(tmpdir(), "pushpals-preflight-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function gitRepo(): RuntimePaths {
  for (const args of [["init", "-q", "-b", "main"], ["-c", "user.email=t@example.invalid", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "initial"]]) {
    const r = Bun.spawnSync(["git", ...args], { cwd: root, stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  }
  return runtimePathsFor(root, join(root, ".git"));
}

const paths = gitRepo();
const byCode = (findings: Finding[], code: string) => findings.filter((f) => f.code === code);

/** Runs `fn` with one environment variable changed, restoring it afterwards. */
async function withEnv<T>(name: string, value: string | undefined, fn: () => Promise<T>): Promise<T> {
  const old = process.env[name];
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
  try {
    return await fn();
  } finally {
    if (old === undefined) delete process.env[name];
    else process.env[name] = old;
  }
}

test("git missing: PP001 with the fix, no crash, and no PP003 (there is nothing to ask without git)", async () => {
  const findings = await withEnv("PATH", join(root, "no-such-bin"), () => preflight(paths, { recover: false }));
  expect(byCode(findings, "PP001")).toEqual([
    { code: "PP001", level: "error", message: "git is not installed or not on PATH", fix: "install git 2.25 or newer (apt-get install git) and make sure it is on PATH" },
  ]);
  expect(byCode(findings, "PP003")).toEqual([]);
  expect(hasErrors(findings)).toBe(true);
});

test("minFreeBytes: the option wins over the env override, which wins over 500 MB", async () => {
  await withEnv(MIN_FREE_ENV, undefined, async () => {
    expect(byCode(await preflight(paths, { recover: false, minFreeBytes: Number.MAX_SAFE_INTEGER }), "PP006")[0]?.level).toBe("error");
    expect(byCode(await preflight(paths, { recover: false, minFreeBytes: 0 }), "PP006")[0]?.level).toBe("ok");
  });
  await withEnv(MIN_FREE_ENV, String(2 ** 40), async () => {
    const [disk] = byCode(await preflight(paths, { recover: false }), "PP006");
    expect(disk).toMatchObject({ level: "error", fix: expect.stringMatching(/^free at least \d+ GB/) });
    expect(byCode(await preflight(paths, { recover: false, minFreeBytes: 0 }), "PP006")[0]?.level).toBe("ok");
  });
  await withEnv(MIN_FREE_ENV, "0", async () => {
    expect(byCode(await preflight(paths, { recover: false }), "PP006").map((f) => f.level)).toEqual(["ok"]);
  });
});

test("sandbox: PP009 proves a real bwrap sandbox starts; missing bwrap is an error with the fix; mode off is the loud PP011 instead", async () => {
  const ok = byCode(await preflight(paths, { recover: false }), "PP009");
  expect(ok).toEqual([{ code: "PP009", level: "ok", message: expect.stringMatching(/^bubblewrap [\d.]+ sandbox works \(memory: (cgroup per command|resident memory watched per command); processes: (pids cgroup|RLIMIT_NPROC); \/tmp and \/dev\/shm: sized; ptrace: blocked\)$/) }]);

  const missing = await withEnv("PATH", join(root, "no-such-bin"), () => preflight(paths, { recover: false }));
  expect(byCode(missing, "PP009")).toEqual([
    {
      code: "PP009",
      level: "error",
      message: "bubblewrap (bwrap) is not installed, so job commands cannot be sandboxed",
      fix: 'install it: apt-get install bubblewrap, or, as a last resort, set sandbox.mode = "off" in .pushpals/config.toml',
    },
  ]);

  const off = await withEnv("PUSHPALS_SANDBOX_MODE", "off", () => preflight(paths, { recover: false }));
  expect(byCode(off, "PP009")).toEqual([]);
  expect(byCode(off, "PP011")).toEqual([{ code: "PP011", level: "warn", message: expect.stringMatching(/^SANDBOX OFF: /), fix: expect.stringContaining("apt-get install bubblewrap") }]);
  expect(hasErrors(off)).toBe(false);
});

test("sandbox: a limit this machine cannot enforce makes PP009 a warning that names it (a bwrap without --size)", async () => {
  const fake = mkdtempSync(join(root, "old-bwrap-"));
  const real = Bun.which("bwrap")!;
  // The real bwrap, except that its --help no longer offers --size, as before bubblewrap had it.
  writeFileSync(join(fake, "bwrap"), `#!/bin/sh\nif [ "$1" = --help ]; then ${real} --help 2>&1 | grep -v -- --size; exit 0; fi\nexec ${real} "$@"\n`, { mode: 0o755 });
  const findings = await withEnv("PATH", `${fake}:${process.env.PATH}`, () => preflight(paths, { recover: false }));
  expect(byCode(findings, "PP009")).toEqual([
    {
      code: "PP009",
      level: "warn",
      message: expect.stringMatching(/; \/tmp and \/dev\/shm: not sized; ptrace: (not )?blocked\)$/),
      fix: expect.stringMatching(/(^|; )bubblewrap [\d.]+ cannot size a tmpfs: upgrade it to a version with --size(;|$)/),
    },
  ]);
  expect(hasErrors(findings)).toBe(false);
});

test("toolchains: a configured check whose program is missing is PP012, a warning with the fix, right after the config", async () => {
  const repo = join(root, "with-checks");
  mkdirSync(join(repo, ".pushpals"), { recursive: true });
  writeFileSync(join(repo, ".pushpals", "config.toml"), '[[checks.commands]]\nname = "probe"\nrun = "definitely-not-installed-xyz --version"\n');
  for (const args of [["init", "-q", "-b", "main"], ["-c", "user.email=t@example.invalid", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "initial"]]) {
    expect(Bun.spawnSync(["git", ...args], { cwd: repo }).exitCode).toBe(0);
  }
  const findings = await preflight(runtimePathsFor(repo, join(repo, ".git")), { recover: false });
  const codes = findings.map((f) => f.code);
  // After the config: the package manager the jobs get (PP013), then the checks' programs (PP012).
  expect(codes.indexOf("PP013")).toBe(codes.indexOf("PP004") + 1);
  expect(codes.indexOf("PP012")).toBe(codes.indexOf("PP004") + 2);
  expect(byCode(findings, "PP013")).toMatchObject([{ level: "ok" }]);
  expect(byCode(findings, "PP012")).toEqual([
    {
      code: "PP012",
      level: "warn",
      message: 'definitely-not-installed-xyz is not installed (not on PATH), so the check "probe" cannot run here',
      fix: 'install definitely-not-installed-xyz and make sure it is on PATH; or remove the check "probe" from .pushpals/config.toml',
    },
  ]);
  expect(byCode(await preflight(paths, { recover: false }), "PP012")).toEqual([]);
});
