import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveSandboxSpec } from "./resolve-spec.ts";
import { DEFAULT_SANDBOX_SETTINGS } from "./sandbox-settings.ts";
import { runCommand, type RunOptions } from "./run-command.ts";

/** Dead, or a zombie waiting to be reaped. */
function isGone(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return true;
  try {
    return readFileSync(stat, "utf8").split(") ")[1]?.startsWith("Z") ?? true;
  } catch {
    return true;
  }
}

const dir = mkdtempSync(join(tmpdir(), "pushpals-run-command-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sandbox = resolveSandboxSpec({ writableDir: dir, network: false, settings: DEFAULT_SANDBOX_SETTINGS });
const base: RunOptions = { cwd: dir, timeoutMs: 10_000, signal: new AbortController().signal, onLine: () => {}, sandbox };

test("the sandbox option cannot be left out", () => {
  // @ts-expect-error: `sandbox` is required, so no caller runs a command unconfined by accident
  const options: RunOptions = { cwd: dir, timeoutMs: 1, signal: new AbortController().signal, onLine: () => {} };
  expect(options.sandbox).toBeUndefined();
});

// With the sandbox off, so the pid the command prints is a host pid this test can watch.
test("a command that leaves a background child running still finishes when it exits, and the child is killed", async () => {
  const started = Date.now();
  const r = await runCommand("echo hi; sleep 30 & echo bg $!; echo done", { ...base, sandbox: "off" });
  expect(r.exitCode).toBe(0);
  expect(r.timedOut).toBe(false);
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(r.tail[0]).toBe("hi");
  expect(r.tail[2]).toBe("done");
  const pid = Number(r.tail[1]!.split(" ")[1]);
  // SIGKILL is delivered asynchronously: give the kernel a moment to finish the exit.
  for (let i = 0; i < 100 && !isGone(pid); i++) await Bun.sleep(10);
  expect(isGone(pid)).toBe(true);
});

test("timeout kills the whole process group and says so", async () => {
  const r = await runCommand("sleep 30 & sleep 30", { ...base, timeoutMs: 200 });
  expect(r.timedOut).toBe(true);
  expect(r.exitCode).toBeNull();
  expect(r.signal).toBe("SIGKILL");
  expect(r.outputLimited).toBe(false);
});

test("abort stops the command at once", async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort("cancelled"), 100);
  const r = await runCommand("sleep 30", { ...base, signal: controller.signal });
  expect(r.aborted).toBe(true);
});

test("output is redacted line by line, private key bodies included, before anyone sees it", async () => {
  const lines: string[] = [];
  const script = [
    "echo token=ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "echo '-----BEGIN OPENSSH PRIVATE KEY-----'",
    "echo b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
    "echo '-----END OPENSSH PRIVATE KEY-----'",
    "echo after",
  ].join("; ");
  const r = await runCommand(script, { ...base, onLine: (_s, l) => lines.push(l) });
  expect(lines).toEqual(["token=[REDACTED]", "[REDACTED]", "[REDACTED]", "[REDACTED]", "after"]);
  expect(r.tail.join("\n")).not.toContain("b3BlbnNz");
});

for (const mode of ["sandboxed", "off"] as const) {
  test(`the command sees no credentials from the worker's environment (${mode})`, async () => {
    process.env.PUSHPALS_TEST_SECRET_TOKEN = "shh";
    const lines: string[] = [];
    await runCommand("env", { ...base, sandbox: mode === "off" ? "off" : sandbox, onLine: (_s, l) => lines.push(l) });
    delete process.env.PUSHPALS_TEST_SECRET_TOKEN;
    expect(lines.some((l) => l.includes("shh"))).toBe(false);
    expect(lines).toContain("CI=true");
    expect(lines).toContain(mode === "off" ? `HOME=${process.env.HOME}` : "HOME=/tmp/home");
  });
}

test("output past the cap stops the command and says so; the output before it still arrives", async () => {
  const lines: string[] = [];
  const r = await runCommand("echo first; yes 0123456789abcdef", { ...base, sandbox: { ...sandbox, limits: { ...sandbox.limits, maxOutputBytes: 100_000 } }, onLine: (_s, l) => lines.push(l) });
  expect(r.outputLimited).toBe(true);
  expect(r.exitCode).toBeNull();
  expect(lines[0]).toBe("first");
  expect(lines.length).toBeLessThan(100_000 / 17 + 2);
});

test("without bwrap on PATH a sandboxed command fails as an environment problem that names the fix", async () => {
  const path = process.env.PATH;
  process.env.PATH = "/nonexistent";
  try {
    const err = await runCommand("true", base).then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ failureClass: "environment", message: expect.stringContaining("apt-get install bubblewrap") });
  } finally {
    process.env.PATH = path;
  }
});
