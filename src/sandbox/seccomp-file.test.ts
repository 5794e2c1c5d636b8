import { afterAll, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { nativeSeccompArch, seccompFilter } from "./seccomp-filter.ts";

const arch = nativeSeccompArch();
// A TMPDIR of the test's own, in a process of its own: removing the file must not race real workers' commands.
const tmp = mkdtempSync(join(tmpdir(), "pushpals-seccomp-file-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

test.skipIf(!arch)("the program is written once, into a directory only this user can write, and again if it was removed", () => {
  const script = `import { rmSync } from "node:fs";
import { seccompFilterFile } from ${JSON.stringify(join(import.meta.dir, "seccomp-file.ts"))};
const first = seccompFilterFile();
const again = seccompFilterFile();
rmSync(first);
console.log(JSON.stringify([first, again, seccompFilterFile()]));`;
  const r = Bun.spawnSync([process.execPath, "-e", script], { env: { ...process.env, TMPDIR: tmp }, stdout: "pipe", stderr: "pipe" });
  expect(r.stderr.toString()).toBe("");
  const [first, again, rewritten] = JSON.parse(r.stdout.toString()) as string[];
  expect(dirname(first!)).toBe(join(tmp, `pushpals-seccomp-${process.getuid!()}`));
  expect(again).toBe(first);
  expect(rewritten).toBe(first);
  expect(readFileSync(first!)).toEqual(Buffer.from(seccompFilter(arch!)));
  const dir = statSync(dirname(first!));
  expect(dir.mode & 0o777).toBe(0o700);
  expect(dir.uid).toBe(process.getuid!());
});

test.skipIf(!arch)("a shared directory others can write is not used: the program goes to one of the process's own, removed at exit", () => {
  const other = mkdtempSync(join(tmpdir(), "pushpals-seccomp-file-test-"));
  try {
    mkdirSync(join(other, `pushpals-seccomp-${process.getuid!()}`), { mode: 0o777 });
    chmodSync(join(other, `pushpals-seccomp-${process.getuid!()}`), 0o777);
    const script = `import { seccompFilterFile } from ${JSON.stringify(join(import.meta.dir, "seccomp-file.ts"))};
console.log(seccompFilterFile());`;
    const r = Bun.spawnSync([process.execPath, "-e", script], { env: { ...process.env, TMPDIR: other }, stdout: "pipe", stderr: "pipe" });
    const file = r.stdout.toString().trim();
    expect(dirname(file)).toMatch(new RegExp(`^${other}/pushpals-seccomp-[A-Za-z0-9]{6}$`));
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(join(other, `pushpals-seccomp-${process.getuid!()}`))).toEqual([]);
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});
