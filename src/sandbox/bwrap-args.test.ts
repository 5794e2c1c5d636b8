import { expect, test } from "bun:test";
import { bwrapArgs, cpuLimitScript, type BwrapInvocation } from "./bwrap-args.ts";
import type { SandboxSpec } from "./sandbox-spec.ts";

const spec: SandboxSpec = {
  writableDir: "/home/ann/repo/.git/pushpals/worktrees/job_1/a1",
  network: false,
  env: {},
  limits: { memoryMb: 4096, cpuSeconds: 1800, maxProcesses: 512, maxOutputBytes: 64 << 20 },
  hide: ["/home/ann/repo/.git/pushpals", "/home", "/root", "/home/ann/repo"],
  hideFiles: ["/etc/shadow"],
  reveal: ["/home/ann/repo/.git"],
  readOnlyMounts: [],
  files: [],
  egress: null,
};
const run: BwrapInvocation = {
  cwd: spec.writableDir,
  env: { PATH: "/usr/bin:/bin", HOME: "/tmp/home" },
  features: { disableUserns: true, tmpfsSize: true },
  command: "npm test",
  limitProcesses: false,
};

/** The index of `flag` followed by `values` in `args`. */
function at(args: string[], flag: string, ...values: string[]): number {
  const i = args.findIndex((a, j) => a === flag && values.every((v, k) => args[j + 1 + k] === v));
  if (i < 0) throw new Error(`${flag} ${values.join(" ")} not in ${args.join(" ")}`);
  return i;
}

test("hidden, revealed and writable mounts apply shallowest first, so the worktree ends up writable inside the hidden runtime dir", () => {
  const args = bwrapArgs(spec, run);
  const order = [
    at(args, "--ro-bind", "/", "/"),
    at(args, "--tmpfs", "/tmp"),
    at(args, "--tmpfs", "/home"),
    at(args, "--tmpfs", "/home/ann/repo"),
    at(args, "--ro-bind", "/home/ann/repo/.git", "/home/ann/repo/.git"),
    at(args, "--tmpfs", "/home/ann/repo/.git/pushpals"),
    at(args, "--bind", spec.writableDir, spec.writableDir),
    at(args, "--remount-ro", "/home/ann/repo/.git/pushpals"),
  ];
  expect(order).toEqual([...order].sort((a, b) => a - b));
  expect(at(args, "--tmpfs", "/root")).toBeLessThan(at(args, "--remount-ro", "/root"));
  expect(at(args, "--ro-bind", "/dev/null", "/etc/shadow")).toBeGreaterThan(at(args, "--ro-bind", "/", "/"));
  // The only writable host path.
  expect(args.filter((a) => a === "--bind" || a === "--dev-bind" || a === "--bind-try")).toEqual(["--bind"]);
});

test("every namespace is new, the network only when granted; no capabilities; dies with the worker", () => {
  const args = bwrapArgs(spec, run);
  for (const flag of ["--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--clearenv"]) expect(args).toContain(flag);
  expect(at(args, "--cap-drop", "ALL")).toBeGreaterThan(-1);
  expect(args).not.toContain("--share-net");
  expect(bwrapArgs({ ...spec, network: true }, run)).toContain("--share-net");
});

test("the environment is exactly the one given; limits and the command come after `--`", () => {
  const args = bwrapArgs(spec, run);
  expect(args.filter((a) => a === "--setenv")).toHaveLength(2);
  at(args, "--setenv", "HOME", "/tmp/home");
  at(args, "--chdir", spec.writableDir);
  expect(args.slice(args.indexOf("--"))).toEqual(["--", "sh", "-c", "npm test"]);
  // Without a pids cgroup, RLIMIT_NPROC is set inside the sandbox's user namespace, then the command runs.
  const limited = bwrapArgs(spec, { ...run, limitProcesses: true });
  expect(limited.slice(limited.indexOf("--"))).toEqual(["--", "/bin/sh", "-c", expect.stringMatching(/^\{ ulimit -u 512 2>\/dev\/null \|\| ulimit -p 512; \} \|\| .*exit 125; \}\nexec "\$@"$/), "sh", "sh", "-c", "npm test"]);
  // CPU time only: an address-space limit would break WebAssembly (memory is the cgroup's or the watch's).
  expect(cpuLimitScript(spec.limits)).toStartWith("ulimit -t 1800 ||");
  expect(cpuLimitScript(spec.limits)).not.toContain("ulimit -v");
});

test("/tmp gets half of the memory limit and /dev/shm a quarter, /dev itself is read-only, and the seccomp fd is passed when given", () => {
  const args = bwrapArgs(spec, run);
  expect(at(args, "--size", String(2048 * 1024 * 1024), "--tmpfs", "/tmp")).toBeGreaterThan(at(args, "--dev", "/dev"));
  const shm = at(args, "--size", String(1024 * 1024 * 1024), "--tmpfs", "/dev/shm");
  expect(shm).toBeGreaterThan(at(args, "--dev", "/dev"));
  expect(at(args, "--remount-ro", "/dev")).toBeGreaterThan(shm);
  expect(args).not.toContain("--seccomp");
  const filtered = bwrapArgs(spec, { ...run, seccompFd: 3 });
  expect(at(filtered, "--seccomp", "3")).toBeLessThan(filtered.indexOf("--"));
});

test("an older bwrap without --disable-userns or --size still gets a working command line", () => {
  const args = bwrapArgs(spec, { ...run, features: { disableUserns: false, tmpfsSize: false } });
  expect(args).not.toContain("--disable-userns");
  expect(args).not.toContain("--size");
});

test("/ and /tmp are never hidden (the root stays, /tmp is private already)", () => {
  const args = bwrapArgs({ ...spec, hide: ["/", "/tmp", "/root"] }, run);
  expect(args.filter((a, i) => a === "--tmpfs" && (args[i + 1] === "/" || args[i + 1] === "/tmp"))).toHaveLength(1);
  expect(args.some((a, i) => a === "--remount-ro" && (args[i + 1] === "/" || args[i + 1] === "/tmp"))).toBe(false);
});

test("egress: no host network; the proxy socket, runtime and forwarder bound read-only on the private /tmp; the forwarder runs the command", () => {
  const egress = { socketPath: "/tmp/pushpals-install-x/egress.sock", runtime: "/usr/bin/bun", forwarder: "/opt/pushpals/src/egress/sandbox-forwarder.ts", port: 3128 };
  const files = [{ source: "/tmp/pushpals-install-x/npmrc", target: "/tmp/.pushpals/npmrc" }, { source: "/tmp/pushpals-install-x/empty", target: `${spec.writableDir}/.npmrc` }];
  const args = bwrapArgs({ ...spec, egress, files }, run);
  expect(args).not.toContain("--share-net");
  at(args, "--ro-bind", egress.socketPath, "/tmp/.pushpals/egress.sock");
  at(args, "--ro-bind", egress.runtime, "/tmp/.pushpals/runtime");
  at(args, "--ro-bind", egress.forwarder, "/tmp/.pushpals/forwarder.ts");
  at(args, "--ro-bind", files[0]!.source, files[0]!.target);
  // The empty file covers the committed .npmrc only once the worktree is bound.
  expect(args.indexOf(`${spec.writableDir}/.npmrc`)).toBeGreaterThan(at(args, "--bind", spec.writableDir, spec.writableDir));
  expect(args.slice(args.indexOf("--"))).toEqual(["--", "/tmp/.pushpals/runtime", "/tmp/.pushpals/forwarder.ts", "/tmp/.pushpals/egress.sock", "3128", "sh", "-c", "npm test"]);
});
