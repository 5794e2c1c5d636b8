import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { ServerLock } from "./server-lock.ts";

const dir = tempDir("pushpals-lock-");
afterAll(() => dir.cleanup());

// A racer says "ready", waits for "go" on stdin, tries the lock, prints the outcome and, if it won,
// holds the lock until its stdin closes.
const racer = `
import { ServerLock } from ${JSON.stringify(join(import.meta.dir, "server-lock.ts"))};
const reader = Bun.stdin.stream().getReader();
console.log("ready");
await reader.read();
const lock = ServerLock.tryAcquire(process.argv[2]);
console.log(lock ? "won" : "lost");
while (lock && !(await reader.read()).done) {}
`;

async function readLine(reader: { read(): Promise<{ value?: Uint8Array }> }): Promise<string> {
  const { value } = await reader.read();
  return new TextDecoder().decode(value).trim();
}

test("processes racing for one lock at the same instant: exactly one wins, every time", async () => {
  const script = join(dir.path, "racer.ts");
  await Bun.write(script, racer);
  for (let round = 0; round < 12; round++) {
    const lockPath = join(dir.path, `race-${round}.lock`);
    const procs = [0, 1].map(() => Bun.spawn([process.execPath, script, lockPath], { stdin: "pipe", stdout: "pipe" }));
    const readers = procs.map((p) => p.stdout.getReader());
    for (const r of readers) expect(await readLine(r)).toBe("ready");
    for (const p of procs) p.stdin.write("go\n");
    for (const p of procs) p.stdin.flush();
    const outcomes = await Promise.all(readers.map(readLine));
    expect(outcomes.sort()).toEqual(["lost", "won"]);
    expect(ServerLock.isHeld(lockPath)).toBe(true);
    for (const p of procs) p.stdin.end();
    await Promise.all(procs.map((p) => p.exited));
    expect(ServerLock.isHeld(lockPath)).toBe(false);
  }
}, 30_000);

test("a lock is free again once its holder releases it", () => {
  const path = join(dir.path, "plain.lock");
  const first = ServerLock.tryAcquire(path);
  expect(first).not.toBeNull();
  first!.release();
  const second = ServerLock.tryAcquire(path);
  expect(second).not.toBeNull();
  second!.release();
});
