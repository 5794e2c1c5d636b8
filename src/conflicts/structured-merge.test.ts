import { afterAll, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runtimePathsFor } from "../runtime-dir/paths.ts";
import { sandboxFor } from "../sandbox/sandbox-for.ts";
import { DEFAULT_SANDBOX_SETTINGS } from "../sandbox/sandbox-settings.ts";
import { findStructuredDriver, structuredMerge } from "./structured-merge.ts";

/**
 * The structured merge driver, run for real in the sandbox. mergiraf itself cannot be installed on this
 * machine (no Debian package in bookworm, no npm package, no crates.io), so a stand-in script plays it on
 * PATH: it checks the arguments PushPals passes as mergiraf's CLI documents them, and merges by a rule of
 * its own (the base's lines, plus what each side added), or plants what a hostile driver could.
 */
const base = mkdtempSync("/var/tmp/pushpals-structured-");
afterAll(() => rmSync(base, { recursive: true, force: true }));
const bin = join(base, "bin");
mkdirSync(bin);
const paths = runtimePathsFor(join(base, "repo"), join(base, "repo", ".git"));
const ctx = { sandbox: DEFAULT_SANDBOX_SETTINGS, paths };
const options = (scratchParent: string) => ({ scratchParent, sandbox: (scratch: string) => sandboxFor(ctx, scratch, { network: false }), signal: new AbortController().signal, log: () => {} });

function driver(body: string): void {
  writeFileSync(join(bin, "mergiraf"), `#!/bin/sh\n[ "$1" = merge ] && [ "$2" = base.ts ] && [ "$3" = ours.ts ] && [ "$4" = theirs.ts ] && [ "$5" = -o ] && [ "$6" = merged.ts ] && [ "$7" = -p ] && [ "$8" = "src/a b.ts" ] || exit 9\n${body}\n`);
  chmodSync(join(bin, "mergiraf"), 0o755);
}

const sides = { base: "a\n", ours: "a\nours\n", theirs: "a\ntheirs\n" };

test("found on PATH, or not at all", () => {
  expect(findStructuredDriver("/nonexistent")).toBeNull();
  driver("exit 0");
  expect(findStructuredDriver(`${bin}:/usr/bin`)).toBe(join(bin, "mergiraf"));
});

test("a clean merge by the driver, in the sandbox, is the file's resolution; its scratch files are gone after", async () => {
  driver('{ cat base.ts; tail -n +2 ours.ts; tail -n +2 theirs.ts; } > merged.ts');
  const saved = process.env.PATH;
  process.env.PATH = `${bin}:${saved}`;
  try {
    const parent = join(base, "job1");
    expect(await structuredMerge("src/a b.ts", sides, options(parent))).toBe("a\nours\ntheirs\n");
    expect(readdirSync(parent)).toEqual([]);
  } finally {
    process.env.PATH = saved;
  }
});

test("what the driver left conflicted, failed on, or linked elsewhere is no resolution", async () => {
  const saved = process.env.PATH;
  process.env.PATH = `${bin}:${saved}`;
  try {
    driver("printf 'a\\n<<<<<<< ours.ts\\nours\\n=======\\ntheirs\\n>>>>>>> theirs.ts\\n' > merged.ts; exit 1");
    expect(await structuredMerge("src/a b.ts", sides, options(join(base, "job2")))).toBeNull();
    // Exit 0 but markers left: still no resolution.
    driver("printf 'a\\n<<<<<<< ours.ts\\nours\\n=======\\ntheirs\\n>>>>>>> theirs.ts\\n' > merged.ts");
    expect(await structuredMerge("src/a b.ts", sides, options(join(base, "job3")))).toBeNull();
    // attack: a link to a host file instead of the merge is never read.
    writeFileSync(join(base, "secret"), "host secret\n");
    driver(`ln -s ${join(base, "secret")} merged.ts`);
    expect(await structuredMerge("src/a b.ts", sides, options(join(base, "job4")))).toBeNull();
    // attack: the driver runs sandboxed: nothing outside its scratch folder is writable.
    driver(`touch ${join(base, "escaped")}; cp base.ts merged.ts`);
    expect(await structuredMerge("src/a b.ts", sides, options(join(base, "job5")))).toBe("a\n");
    expect(existsSync(join(base, "escaped"))).toBe(false);
  } finally {
    process.env.PATH = saved;
  }
});
