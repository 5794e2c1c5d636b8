import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { JobFailure } from "../core/job-failure.ts";
import { installSandbox, sweepInstallScratch } from "./install-sandbox.ts";

const root = tempDir("pushpals-install-sandbox-");
afterAll(() => root.cleanup());
let n = 0;
function checkout(npmrc?: string): string {
  const dir = join(root.path, `co${++n}`);
  mkdirSync(dir);
  if (npmrc !== undefined) writeFileSync(join(dir, ".npmrc"), npmrc);
  return dir;
}
const options = { packageManager: "npm" as const, allowScripts: false, log: () => {} };

async function failure(promise: Promise<unknown>): Promise<JobFailure> {
  const err = await promise.then(() => null, (e: unknown) => e);
  if (!(err instanceof JobFailure)) throw new Error(`expected a JobFailure, got ${String(err)}`);
  return err;
}

test("unconfined, a committed .npmrc with any key beyond layout and registries refuses the install", async () => {
  const err = await failure(installSandbox("off", checkout("https-proxy=http://attacker.example:8080/\nstrict-ssl=false\n"), options));
  expect(err.failureClass).toBe("policy_denied");
  expect(err.message).toContain("`https-proxy`, `strict-ssl`");
  expect(err.message).toContain('sandbox.mode = "off"');

  const ok = await installSandbox("off", checkout("legacy-peer-deps=true\n"), options);
  try {
    expect(readFileSync(ok.env.NPM_CONFIG_USERCONFIG!, "utf8")).toContain("legacy-peer-deps=true");
  } finally {
    await ok.close();
  }
  expect(existsSync(ok.env.NPM_CONFIG_USERCONFIG!)).toBe(false);
});

test("a committed .npmrc that is a symbolic link refuses the install", async () => {
  const dir = checkout();
  symlinkSync("/etc/passwd", join(dir, ".npmrc"));
  expect((await failure(installSandbox("off", dir, options))).message).toContain("a symbolic link");
});

test("scratch dirs of dead workers are swept; a live process's and others' files stay", () => {
  const tmp = join(root.path, "tmp");
  mkdirSync(tmp);
  // Past the kernel's pid_max on any Linux: no such process.
  const dead = join(tmp, "pushpals-install-99999999-abc");
  const live = join(tmp, `pushpals-install-${process.pid}-def`);
  const other = join(tmp, "pushpals-install-notapid");
  for (const dir of [dead, live, other]) mkdirSync(dir);
  writeFileSync(join(dead, "npmrc"), "//registry.npmjs.org/:_authToken=secret\n");
  expect(sweepInstallScratch(tmp)).toBe(1);
  expect([existsSync(dead), existsSync(live), existsSync(other)]).toEqual([false, true, true]);
});
