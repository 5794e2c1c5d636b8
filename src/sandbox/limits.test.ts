import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findBwrap } from "./bwrap-binary.ts";
import { cgroupControllers, commandHierarchies, createCommandCgroup } from "./command-cgroup.ts";
import { resolveSandboxSpec } from "./resolve-spec.ts";
import { runCommand } from "./run-command.ts";
import { DEFAULT_SANDBOX_SETTINGS, type SandboxSettings } from "./sandbox-settings.ts";
import { nativeSeccompArch } from "./seccomp-filter.ts";

// Real bwrap, real processes, real cgroups where this machine has them. memory_mb 256: /tmp 128 MB, /dev/shm 64 MB.
const dir = mkdtempSync("/var/tmp/pushpals-limits-test-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function sandboxed(command: string, settings: Partial<SandboxSettings> = {}) {
  const lines: string[] = [];
  const sandbox = resolveSandboxSpec({ writableDir: dir, network: false, settings: { ...DEFAULT_SANDBOX_SETTINGS, memory_mb: 256, ...settings } });
  const result = await runCommand(command, { cwd: dir, timeoutMs: 30_000, signal: new AbortController().signal, sandbox, onLine: (_s, line) => lines.push(line) });
  return { ...result, lines, output: lines.join("\n") };
}

const sized = findBwrap()?.features.tmpfsSize ?? false;

describe("tmpfs sizes (within memory_mb)", () => {
  test.skipIf(!sized)("/dev/shm is a tmpfs of a quarter of memory_mb: a write within it works, one past it fails", async () => {
    const r = await sandboxed("df -k /dev/shm | tail -1; head -c 32M /dev/zero > /dev/shm/ok && echo small-ok; head -c 80M /dev/zero > /dev/shm/big; echo big-exit $?");
    expect(r.lines[0]).toMatch(/^tmpfs\s+65536\s/);
    expect(r.output).toContain("small-ok");
    expect(r.output).toMatch(/No space left on device/);
    expect(r.output).toMatch(/big-exit [1-9]/);
  });

  test.skipIf(!sized)("/tmp is a tmpfs of half of memory_mb: a write within it works, one past it fails", async () => {
    const r = await sandboxed("df -k /tmp | tail -1; head -c 100M /dev/zero > /tmp/ok && echo small-ok; rm /tmp/ok; head -c 160M /dev/zero > /tmp/big; echo big-exit $?");
    expect(r.lines[0]).toMatch(/^tmpfs\s+131072\s/);
    expect(r.output).toContain("small-ok");
    expect(r.output).toMatch(/No space left on device/);
    expect(r.output).toMatch(/big-exit [1-9]/);
  });

  test("/dev itself (an unsized tmpfs) is read-only; its devices still work", async () => {
    const r = await sandboxed("echo x > /dev/planted; echo planted-exit $?; echo fine > /dev/null && head -c 4 /dev/urandom | wc -c");
    expect(r.output).toMatch(/Read-only file system/);
    expect(r.output).toContain("planted-exit 2");
    expect(r.lines.at(-1)?.trim()).toBe("4");
  });
});

describe.skipIf(!nativeSeccompArch())("the seccomp filter", () => {
  const python = (code: string) => `python3 -c '${code}'`;
  const libc = "import ctypes,os; libc=ctypes.CDLL(None,use_errno=True)";

  test("ptrace is refused with EPERM: PTRACE_ATTACH to another process and PTRACE_TRACEME", async () => {
    const r = await sandboxed(
      [
        `sleep 30 & ${python(`${libc}; import sys; r=libc.ptrace(16, int(sys.argv[1]), 0, 0); print("attach", r, ctypes.get_errno())`)} $!`,
        python(`${libc}; r=libc.ptrace(16, 1, 0, 0); print("attach-init", r, ctypes.get_errno())`),
        python(`${libc}; r=libc.ptrace(0, 0, 0, 0); print("traceme", r, ctypes.get_errno())`),
        "grep Seccomp: /proc/self/status",
      ].join("; "),
    );
    expect(r.lines).toEqual(["attach -1 1", "attach-init -1 1", "traceme -1 1", "Seccomp:\t2"]);
  });

  test("process_vm_readv is refused, even on the process's own memory", async () => {
    const read = [
      libc,
      "buf=ctypes.create_string_buffer(8); src=ctypes.create_string_buffer(b\"secret!\")",
      "class V(ctypes.Structure): _fields_=[(\"b\",ctypes.c_void_p),(\"n\",ctypes.c_size_t)]",
      "l=V(ctypes.addressof(buf),8); r_=V(ctypes.addressof(src),8)",
      "r=libc.process_vm_readv(os.getpid(), ctypes.byref(l), 1, ctypes.byref(r_), 1, 0); print(r, ctypes.get_errno())",
    ].join("\n");
    const r = await sandboxed(python(read));
    expect(r.lines).toEqual(["-1 1"]);
  });

  test("the filter's fd is not left open in the command (nor in the sandbox's init)", async () => {
    const r = await sandboxed("ls -l /proc/1/fd/ /proc/$$/fd/");
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain("/dev/null");
    expect(r.output).not.toContain("seccomp");
  });
});

describe("the memory of the command as a whole", () => {
  // Three processes of 120 MB each: every one is under memory_mb (256), together they are not.
  const why = cgroupControllers().memory ? "" : " (skipped: no writable memory cgroup here, only the resident-memory watch holds)";
  (cgroupControllers().memory ? test : test.skip)(`processes each under the limit but together above it are killed${why}`, async () => {
    const hog = `python3 -c 'import time; b = b"x" * (120 << 20); print("held", flush=True); time.sleep(2)'`;
    const r = await sandboxed(`for i in 1 2 3; do (${hog}; echo "exit $?") & done; wait`);
    const survived = r.lines.filter((l) => l === "exit 0").length;
    expect(survived).toBeLessThan(3);
    // cgroup v1 kills the biggest process; v2 (memory.oom.group) the whole command.
    expect(r.output.includes("exit 137") || r.signal === "SIGKILL").toBe(true);
  }, 30_000);

  test("no address-space limit in any case: WebAssembly, which reserves far more than it uses, runs under the smallest memory_mb", async () => {
    const r = await sandboxed(`ulimit -v; node -e "new WebAssembly.Memory({ initial: 1 }); console.log('wasm')"`);
    expect(r.lines).toEqual(["unlimited", "wasm"]);
  });

  (cgroupControllers().memory ? test : test.skip)(`a command past memory_mb is reported as out of memory${why}`, async () => {
    const r = await sandboxed(`python3 -c 'b = b"x" * (600 << 20); print("held")'`);
    expect(r.outOfMemory).toBe(true);
    expect(r.exitCode === 0).toBe(false);
  }, 30_000);

  test("a command within memory_mb is not", async () => {
    const r = await sandboxed(`python3 -c 'b = b"x" * (20 << 20); print("held")'`);
    expect(r).toMatchObject({ outOfMemory: false, exitCode: 0 });
  });
});

describe("the command cgroup", () => {
  test.skipIf(!commandHierarchies().length)("has a directory in every hierarchy in use while the command runs, none after release", async () => {
    const cgroup = createCommandCgroup({ maxPids: 10, memoryBytes: 64 << 20 })!;
    const dirs = cgroup.procsFiles.map((file) => file.replace(/\/cgroup\.procs$/, ""));
    expect(dirs.length).toBe(commandHierarchies().length);
    for (const d of dirs) expect(existsSync(d)).toBe(true);
    await cgroup.release();
    for (const d of dirs) expect(existsSync(d)).toBe(false);
  });

  test.skipIf(!commandHierarchies().length)("a finished command leaves no cgroup of its own behind", async () => {
    const mine = () => commandHierarchies().flatMap((h) => readdirSync(h.parent).filter((name) => name.startsWith(`${process.pid}-`)));
    const before = mine();
    const r = await sandboxed("sleep 30 & echo started");
    expect(r.lines).toEqual(["started"]);
    expect(mine()).toEqual(before);
  });
});

describe("legitimate commands still work", () => {
  beforeAll(() => {
    const git = (args: string[]) => Bun.spawnSync(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", ...args], { cwd: dir, stderr: "pipe" });
    git(["init", "-q", "-b", "main"]);
    writeFileSync(join(dir, "a.txt"), "a\n");
    git(["add", "-A"]);
    git(["commit", "-q", "-m", "initial"]);
  });

  test("node, sh, git status, and Python's multiprocessing (semaphores on /dev/shm)", async () => {
    const r = await sandboxed(
      [
        `node -e "console.log('node', require('child_process').execSync('echo child').toString().trim())"`,
        "sh -c 'echo sh'",
        "echo b > b.txt && git status --porcelain",
        `python3 -c 'import multiprocessing as m; l = m.Lock(); print("lock", l.acquire())'`,
      ].join(" && "),
    );
    expect(r.exitCode).toBe(0);
    expect(r.lines).toEqual(["node child", "sh", "?? b.txt", "lock True"]);
  });
});
