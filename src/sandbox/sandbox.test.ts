import { processLimitMode } from "./probe.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runtimePathsFor, type RuntimePaths } from "../runtime-dir/paths.ts";
import { addJobCheckout } from "../scm/worktree.ts";
import { runCommand } from "./run-command.ts";
import { sandboxFor } from "./sandbox-for.ts";
import { DEFAULT_SANDBOX_SETTINGS, type SandboxSettings } from "./sandbox-settings.ts";

// Real bwrap, real processes. The repository lives outside /tmp (the sandbox's /tmp is private anyway,
// which would make "cannot write there" prove nothing), next to a fake user home full of credentials.
const base = mkdtempSync("/var/tmp/pushpals-sandbox-test-");
const root = join(base, "repo");
const fakeHome = join(base, "home");
const outside = join(base, "outside");
let paths: RuntimePaths;
let dir: string;
const realHome = process.env.HOME;

beforeAll(async () => {
  mkdirSync(root);
  mkdirSync(outside);
  const git = (args: string[]) => {
    const r = Bun.spawnSync(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", ...args], { cwd: root, stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString()}`);
  };
  git(["init", "-q", "-b", "main"]);
  writeFileSync(join(root, "README.md"), "# repo\n");
  git(["add", "-A"]);
  git(["commit", "-q", "-m", "initial"]);
  paths = runtimePathsFor(root, join(root, ".git"));
  mkdirSync(paths.runtimeDir, { recursive: true });
  writeFileSync(paths.dbPath, "the database");
  dir = (await addJobCheckout(paths, "job_sandboxtest1", 1, "HEAD")).dir;
  mkdirSync(join(fakeHome, ".ssh"), { recursive: true });
  writeFileSync(join(fakeHome, ".ssh", "id_ed25519"), "fake-private-key-material\n");
  writeFileSync(join(fakeHome, ".npmrc"), "//registry.npmjs.org/:_authToken=fake-npm-credential\n");
  process.env.HOME = fakeHome;
});

afterAll(() => {
  process.env.HOME = realHome;
  rmSync(base, { recursive: true, force: true });
});

function ctx(settings: Partial<SandboxSettings> = {}) {
  return { sandbox: { ...DEFAULT_SANDBOX_SETTINGS, ...settings }, paths };
}

async function sandboxed(command: string, options: { network?: boolean; settings?: Partial<SandboxSettings>; timeoutMs?: number; onLine?: (line: string) => void } = {}) {
  const lines: string[] = [];
  const result = await runCommand(command, {
    cwd: dir,
    timeoutMs: options.timeoutMs ?? 20_000,
    signal: new AbortController().signal,
    sandbox: sandboxFor(ctx(options.settings), dir, { network: options.network ?? false }),
    onLine: (_stream, line) => {
      lines.push(line);
      options.onLine?.(line);
    },
  });
  return { ...result, lines, output: lines.join("\n") };
}

describe("inside the sandbox the job can work", () => {
  test("the worktree is writable, git works in it, and the exit code and output come through", async () => {
    const r = await sandboxed("echo made > made.txt && git status --porcelain && echo to-stderr >&2 && exit 7");
    expect(r.exitCode).toBe(7);
    expect(r.lines).toEqual(["?? made.txt", "to-stderr"]);
    expect(readFileSync(join(dir, "made.txt"), "utf8")).toBe("made\n");
  });

  test("HOME is an empty, writable directory of its own, and TMPDIR the private /tmp", async () => {
    const r = await sandboxed('ls -A "$HOME" | wc -l && touch "$HOME/cache" "$TMPDIR/scratch" && echo "$HOME $TMPDIR"');
    expect(r.exitCode).toBe(0);
    expect(r.lines).toEqual(["0", "/tmp/home /tmp"]);
  });
});

describe("escapes fail", () => {
  test("writing outside the worktree: a sibling directory, the main checkout, the git dir, the runtime dir, /etc", async () => {
    const targets = [join(outside, "escaped"), join(root, "README.md"), join(paths.gitCommonDir, "hooks", "post-checkout"), join(paths.gitCommonDir, "config"), paths.dbPath, "/etc/pushpals-escaped"];
    for (const target of targets) {
      const r = await sandboxed(`echo escaped > '${target}'`);
      expect(r.exitCode, target).not.toBe(0);
    }
    expect(readdirSync(outside)).toEqual([]);
    expect(readFileSync(join(root, "README.md"), "utf8")).toBe("# repo\n");
    expect(existsSync(join(paths.gitCommonDir, "hooks", "post-checkout"))).toBe(false);
    expect(readFileSync(join(paths.gitCommonDir, "config"), "utf8")).not.toContain("escaped");
    expect(readFileSync(paths.dbPath, "utf8")).toBe("the database");
    expect(existsSync("/etc/pushpals-escaped")).toBe(false);
  });

  test("a commit made inside lands in the sandbox's own .git only: the repository's refs and objects are untouched", async () => {
    const before = hostGit(["rev-parse", "refs/heads/main"]);
    const r = await sandboxed("git -c user.name=x -c user.email=x@example.invalid commit -q --allow-empty -m sneaky && git rev-parse HEAD");
    expect(r.exitCode).toBe(0);
    const sneaky = r.lines.at(-1)!;
    expect(sneaky).toMatch(/^[0-9a-f]{40}$/);
    expect(hostGit(["rev-parse", "refs/heads/main"])).toBe(before);
    expect(Bun.spawnSync(["git", "cat-file", "-e", sneaky], { cwd: root }).exitCode).not.toBe(0);
  });

  test("the runtime directory shows nothing but the job's own worktree", async () => {
    const r = await sandboxed(`ls -A '${paths.runtimeDir}'; cat '${paths.dbPath}'`);
    expect(r.lines[0]).toBe("worktrees");
    expect(r.output).not.toContain("the database");
  });

  test("writing to the real $HOME fails, and the sandbox's own HOME never reaches it", async () => {
    const r = await sandboxed(`echo x > '${fakeHome}/.bashrc'; echo y > "$HOME/.bashrc"`);
    expect(r.output).toMatch(/read-only file system/i);
    expect(readdirSync(fakeHome).sort()).toEqual([".npmrc", ".ssh"]);
  });

  test("the user's SSH key and .npmrc cannot be read", async () => {
    const r = await sandboxed(`cat '${fakeHome}/.ssh/id_ed25519' '${fakeHome}/.npmrc'; ls -A '${fakeHome}'`);
    expect(r.output).not.toContain("fake-private-key-material");
    expect(r.output).not.toContain("fake-npm-credential");
    expect(r.output).toMatch(/No such file/);
  });

  test("a secret in the worker's environment is neither in the command's nor readable from any /proc/*/environ", async () => {
    process.env.GITHUB_TOKEN = "worker-secret-value-0451";
    process.env.SSH_AUTH_SOCK = "/run/user/0/agent.sock";
    // A host process whose real environment holds the secret, as a worker's would.
    const holder = Bun.spawn(["sh", "-c", "echo ready; sleep 60"], { env: { ...process.env }, stdout: "pipe" });
    try {
      await holder.stdout.getReader().read();
      expect(readFileSync(`/proc/${holder.pid}/environ`, "utf8")).toContain("worker-secret-value");
      const r = await sandboxed('env | cut -d= -f1 | sort; cat /proc/*/environ 2>/dev/null | tr "\\0" "\\n" | grep -c worker-secret-value');
      const names = r.lines.slice(0, -1);
      expect(names).not.toContain("GITHUB_TOKEN");
      expect(names).not.toContain("SSH_AUTH_SOCK");
      for (const name of names) expect(name).toMatch(/^(PATH|LANG|LC_\w+|TERM|TZ|HOME|TMPDIR|CI|GIT_TERMINAL_PROMPT|GIT_CONFIG_NOSYSTEM|PWD)$/);
      expect(r.lines.at(-1)).toBe("0");
    } finally {
      holder.kill();
      delete process.env.GITHUB_TOKEN;
      delete process.env.SSH_AUTH_SOCK;
    }
  });

  test("a hard link to a file outside the worktree (same file system) is refused", async () => {
    // Beside the repository's own tree (which the sandbox hides, ancestors included): readable, not linkable.
    const outside = mkdtempSync("/var/tmp/pushpals-outside-");
    afterAll(() => rmSync(outside, { recursive: true, force: true }));
    const target = join(outside, "outside.txt");
    writeFileSync(target, "outside\n");
    const r = await sandboxed(`cat '${target}' && ln '${target}' ./linked-config`);
    expect(r.exitCode).not.toBe(0);
    expect(r.output).toMatch(/cross-device|Invalid/i);
    expect(existsSync(join(dir, "linked-config"))).toBe(false);
  });
});

describe("the network", () => {
  let server: Bun.TCPSocketListener;
  let connected: () => void = () => {};
  beforeAll(() => {
    server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { open: () => connected(), data() {} } });
  });
  afterAll(() => server.stop(true));

  const connect = () =>
    `node -e "require('net').connect(${server.port}, '127.0.0.1').on('connect', () => { console.log('connected'); process.exit(0) }).on('error', (e) => { console.log(e.code); process.exit(1) })"`;

  test("without the grant, a command cannot reach a server on the host's loopback", async () => {
    const r = await sandboxed(connect());
    expect(r.exitCode).toBe(1);
    expect(r.lines).toEqual(["ECONNREFUSED"]);
  });

  test("with the grant, it can", async () => {
    const reached = new Promise<void>((resolve) => (connected = resolve));
    const r = await sandboxed(connect(), { network: true });
    expect(r.lines).toEqual(["connected"]);
    await reached;
  });
});

describe("limits", () => {
  // As root the process limit needs a writable pids cgroup; where there is none, PP009 warns instead.
  test.skipIf(processLimitMode() === "none")("a fork bomb is stopped by the process limit", async () => {
    const r = await sandboxed('i=0; while [ $i -lt 300 ]; do sleep 60 & i=$((i+1)); echo "forked $i"; done; echo "all forked"', { settings: { max_processes: 40 } });
    expect(r.output).not.toContain("all forked");
    const forked = Math.max(...r.lines.map((l) => Number(/^forked (\d+)$/.exec(l)?.[1] ?? 0)));
    expect(forked).toBeGreaterThan(10);
    expect(forked).toBeLessThanOrEqual(40);
    expect(r.output).toMatch(/Cannot fork/i);
  });

  test("runaway output is stopped by the output limit", async () => {
    const r = await sandboxed("yes pushpals-output", { settings: { max_output_mb: 1 } });
    expect(r.outputLimited).toBe(true);
    expect(r.exitCode).toBeNull();
    expect(r.lines.length).toBeLessThan((1024 * 1024) / "pushpals-output\n".length + 2);
  });

  test("the memory limit applies to each process", async () => {
    const r = await sandboxed(`node -e "Buffer.alloc(600 * 1024 * 1024, 1); console.log('allocated')"`, { settings: { memory_mb: 512 } });
    expect(r.exitCode).not.toBe(0);
    expect(r.output).not.toContain("allocated");
  });

  test("a timed-out command leaves no process behind, not even one that left its session", async () => {
    const marker = `pushpals-marker-${process.pid}-${Date.now()}`;
    let seen: string[] = [];
    const r = await sandboxed(`setsid sh -c 'sleep 300; : ${marker}' >/dev/null 2>&1 & sh -c 'sleep 300; : ${marker}' & echo started; wait`, {
      timeoutMs: 3_000,
      onLine: (line) => {
        if (line === "started") seen = processesWith(marker);
      },
    });
    expect(r.timedOut).toBe(true);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(await gone(marker)).toEqual([]);
  });
});

describe("a worker that dies", () => {
  test("kill -9 of the worker running a sandboxed command leaves none of the command's processes behind", async () => {
    const marker = `pushpals-orphan-${process.pid}-${Date.now()}`;
    const script = join(base, "worker.ts");
    writeFileSync(
      script,
      `import { runCommand } from ${JSON.stringify(join(import.meta.dir, "run-command.ts"))};
import { resolveSandboxSpec } from ${JSON.stringify(join(import.meta.dir, "resolve-spec.ts"))};
import { DEFAULT_SANDBOX_SETTINGS } from ${JSON.stringify(join(import.meta.dir, "sandbox-settings.ts"))};
const sandbox = resolveSandboxSpec({ writableDir: ${JSON.stringify(dir)}, network: false, settings: DEFAULT_SANDBOX_SETTINGS });
await runCommand(${JSON.stringify(`setsid sh -c 'sleep 300; : ${marker}' >/dev/null 2>&1 & echo started; sleep 300`)}, {
  cwd: ${JSON.stringify(dir)}, timeoutMs: 600_000, signal: new AbortController().signal, sandbox, onLine: (_s, line) => console.log(line),
});
`,
    );
    const worker = Bun.spawn([process.execPath, script], { stdout: "pipe", stderr: "inherit" });
    const reader = worker.stdout.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain("started");
    expect(processesWith(marker).length).toBeGreaterThan(0);
    worker.kill("SIGKILL");
    await worker.exited;
    // The watchdog checks on the worker once a second.
    expect(await gone(marker, 5_000)).toEqual([]);
  }, 15_000);
});

function hostGit(args: string[]): string {
  return Bun.spawnSync(["git", ...args], { cwd: root, stdout: "pipe" }).stdout.toString().trim();
}

/** Pids whose command line contains `text` (the host's view of /proc). */
function processesWith(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid) || pid === String(process.pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(text)) found.push(pid);
    } catch {}
  }
  return found;
}

/** The processes still carrying `marker` once the kernel has finished the kills (SIGKILL is asynchronous). */
async function gone(marker: string, deadlineMs = 2_000): Promise<string[]> {
  const deadline = Date.now() + deadlineMs;
  let left = processesWith(marker);
  while (left.length && Date.now() < deadline) {
    await Bun.sleep(20);
    left = processesWith(marker);
  }
  return left;
}

describe("the model key's file", () => {
  test("attack: a key file kept outside the homes is not readable by any command; under a home it is hidden with it", async () => {
    // Not beside the repository (its parents are hidden already): somewhere a user might keep it, e.g. /var/tmp or /etc.
    const keyDir = mkdtempSync("/var/tmp/pushpals-key-test-");
    const keyFile = join(keyDir, "model.key");
    writeFileSync(keyFile, "plain-local-key-0123456789\n", { mode: 0o600 });
    const withKey = { sandbox: DEFAULT_SANDBOX_SETTINGS, paths, config: { models: { api_key_file: keyFile } } };
    const run = await runCommand(`cat ${keyFile}; echo "exit $?"`, {
      cwd: dir,
      timeoutMs: 20_000,
      signal: new AbortController().signal,
      sandbox: sandboxFor(withKey, dir, { network: false }),
      onLine: () => {},
    });
    expect(run.tail.join("\n")).not.toContain("plain-local-key");
    expect(run.tail.join("\n")).toMatch(/exit [1-9]/);
    // Without the setting the same file is readable: the hiding is what keeps it out.
    const plain = await sandboxed(`cat ${keyFile}`);
    expect(plain.output).toContain("plain-local-key");
    // A key under the (hidden) home needs no mount of its own, and commands still run.
    const homeKey = join(fakeHome, "model.key");
    writeFileSync(homeKey, "plain-home-key\n", { mode: 0o600 });
    const underHome = await runCommand(`cat ${homeKey} 2>&1; echo ran`, { cwd: dir, timeoutMs: 20_000, signal: new AbortController().signal, sandbox: sandboxFor({ ...withKey, config: { models: { api_key_file: homeKey } } }, dir, { network: false }), onLine: () => {} });
    expect(underHome.tail.join("\n")).toContain("ran");
    expect(underHome.tail.join("\n")).not.toContain("plain-home-key");
    rmSync(keyDir, { recursive: true, force: true });
  });
});
