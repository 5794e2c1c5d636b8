import { expect, test } from "bun:test";
import { runCommand } from "./run-command.ts";

import { existsSync, readFileSync } from "node:fs";

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

const base = { cwd: "/tmp", timeoutMs: 10_000, signal: new AbortController().signal, onLine: () => {} };

test("a command that leaves a background child running still finishes when it exits, and the child is killed", async () => {
  const started = Date.now();
  const r = await runCommand("echo hi; sleep 30 & echo bg $!; echo done", base);
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

test("the command sees no credentials from the worker's environment", async () => {
  process.env.PUSHPALS_TEST_SECRET_TOKEN = "shh";
  const lines: string[] = [];
  await runCommand("env", { ...base, onLine: (_s, l) => lines.push(l) });
  delete process.env.PUSHPALS_TEST_SECRET_TOKEN;
  expect(lines.some((l) => l.includes("shh"))).toBe(false);
  expect(lines).toContain("CI=true");
});
