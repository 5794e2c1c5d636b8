import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCommand } from "./run-command.ts";
import { resolveSandboxSpec } from "./resolve-spec.ts";
import { DEFAULT_SANDBOX_SETTINGS } from "./sandbox-settings.ts";

// A fake home outside /tmp with the toolchain layouts people have, and credentials next to them.
const base = mkdtempSync("/var/tmp/pushpals-resolve-test-");
const home = join(base, "home");
const work = join(base, "work");
const saved = { HOME: process.env.HOME, PATH: process.env.PATH };

beforeAll(() => {
  const file = (rel: string, text: string, mode = 0o644) => {
    mkdirSync(join(home, rel, ".."), { recursive: true });
    writeFileSync(join(home, rel), text, { mode });
  };
  file(".pyenv/shims/hello", `#!/bin/sh\nexec ${join(home, ".pyenv/libexec/hello-real")}\n`, 0o755);
  file(".pyenv/libexec/hello-real", "#!/bin/sh\necho hello from pyenv\n", 0o755);
  file(".cargo/bin/cargo-thing", "#!/bin/sh\necho cargo thing\n", 0o755);
  file(".cargo/credentials.toml", "token = \"cargo-credential\"\n");
  file("node-prefix/bin/.keep", "");
  file("node-prefix/lib/node_modules/.keep", "");
  file("bin/.keep", "");
  file("venv/bin/python-tool", "#!/bin/sh\necho venv\n", 0o755);
  file("venv/pyvenv.cfg", "home = /usr/bin\n");
  file("venv/lib/site-packages/.keep", "");
  file("go/bin/go", "#!/bin/sh\n", 0o755);
  file("go/pkg/tool/.keep", "");
  file(".rustup/toolchains/stable/bin/cargo", "#!/bin/sh\n", 0o755);
  file("lib/node_modules/.keep", "");
  mkdirSync(join(work, "wt"), { recursive: true });
  symlinkSync(join(work, "wt"), join(work, "link"));
  process.env.HOME = home;
  process.env.PATH = [".pyenv/shims", ".cargo/bin", "node-prefix/bin", "bin", "venv/bin", "go/bin"].map((d) => join(home, d)).join(":") + `:/nonexistent:${saved.PATH}`;
});

afterAll(() => {
  process.env.HOME = saved.HOME;
  process.env.PATH = saved.PATH;
  rmSync(base, { recursive: true, force: true });
});

const resolve = (extra: { hide?: string[]; reveal?: string[] } = {}) =>
  resolveSandboxSpec({ writableDir: join(work, "link"), network: false, settings: DEFAULT_SANDBOX_SETTINGS, ...extra });

test("paths are real and existing: the worktree through its symlink, missing hides dropped, the user's $HOME hidden", () => {
  const spec = resolve({ hide: [join(base, "missing")], reveal: [join(base, "missing-too")] });
  expect(spec.writableDir).toBe(join(work, "wt"));
  expect(spec.hide).toContain(home);
  expect(spec.hide).toContain("/root");
  expect(spec.hide).not.toContain(join(base, "missing"));
  expect(spec.reveal).not.toContain(join(base, "missing-too"));
  // A hidden directory inside the worktree would hide part of the job's own files.
  expect(resolve({ hide: [join(work, "wt")] }).hide).not.toContain(join(work, "wt"));
});

test("tools on PATH under the hidden home stay usable: a version manager whole, a Node prefix whole, other bin dirs alone, never the home", () => {
  const { reveal } = resolve();
  expect(reveal).toContain(join(home, ".pyenv"));
  expect(reveal).toContain(join(home, ".cargo/bin"));
  expect(reveal).not.toContain(join(home, ".cargo"));
  expect(reveal).toContain(join(home, "node-prefix"));
  expect(reveal).toContain(join(home, "bin"));
  // A virtualenv and a Go root whole (their bin needs its siblings); rustup's toolchains beside ~/.cargo/bin.
  expect(reveal).toContain(join(home, "venv"));
  expect(reveal).toContain(join(home, "go"));
  expect(reveal).toContain(join(home, ".rustup"));
  expect(reveal).not.toContain(home);
});

test("inside the sandbox the tools run and the credentials next to them stay hidden", async () => {
  const spec = resolve();
  const lines: string[] = [];
  const r = await runCommand(`hello && cargo-thing && cat '${join(home, ".cargo/credentials.toml")}'`, {
    cwd: spec.writableDir,
    timeoutMs: 10_000,
    signal: new AbortController().signal,
    sandbox: spec,
    onLine: (_s, line) => lines.push(line),
  });
  expect(lines.slice(0, 2)).toEqual(["hello from pyenv", "cargo thing"]);
  expect(r.exitCode).not.toBe(0);
  expect(lines.join("\n")).not.toContain("cargo-credential");
});
