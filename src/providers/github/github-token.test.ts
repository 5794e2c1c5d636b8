import { afterAll, expect, test } from "bun:test";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../../test/helpers/temp.ts";
import { GithubError } from "./github-error.ts";
import { resolveGithubToken } from "./github-token.ts";

const dir = tempDir("pushpals-gh-");
afterAll(dir.cleanup);

/** A directory holding only a fake `gh` running `body`, to use as PATH. */
function fakeGh(name: string, body: string): string {
  const bin = join(dir.path, name);
  mkdirSync(bin);
  writeFileSync(join(bin, "gh"), `#!/bin/sh\n${body}\n`);
  chmodSync(join(bin, "gh"), 0o755);
  return `${bin}:/usr/bin:/bin`;
}

async function refused(p: Promise<unknown>): Promise<GithubError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GithubError);
  return err as GithubError;
}

const ghPrints = fakeGh("prints", 'if [ "$1 $2" = "auth token" ]; then echo gho_fromGhCli1234567890abcdef; else exit 3; fi');

test("an explicit config token wins over the environment and gh", async () => {
  const r = await resolveGithubToken({ configToken: " from-config ", env: { PUSHPALS_GITHUB_TOKEN: "a", GITHUB_TOKEN: "b", PATH: ghPrints } });
  expect(r).toEqual({ token: "from-config", source: "config" });
});

test("PUSHPALS_GITHUB_TOKEN, then GITHUB_TOKEN; empty values count as unset", async () => {
  expect(await resolveGithubToken({ configToken: "", env: { PUSHPALS_GITHUB_TOKEN: "a", GITHUB_TOKEN: "b" } })).toEqual({ token: "a", source: "env:PUSHPALS_GITHUB_TOKEN" });
  expect(await resolveGithubToken({ configToken: null, env: { PUSHPALS_GITHUB_TOKEN: "", GITHUB_TOKEN: "b" } })).toEqual({ token: "b", source: "env:GITHUB_TOKEN" });
});

test("otherwise `gh auth token` from PATH", async () => {
  expect(await resolveGithubToken({ env: { PATH: ghPrints } })).toEqual({ token: "gho_fromGhCli1234567890abcdef", source: "gh" });
  const host = fakeGh("host", 'echo "tok-for-$4"');
  expect((await resolveGithubToken({ env: { PATH: host }, ghHost: "ghe.example" })).token).toBe("tok-for-ghe.example");
});

test("no gh on PATH: an environment failure that says how to fix it", async () => {
  const err = await refused(resolveGithubToken({ env: { PATH: join(dir.path, "nowhere") } }));
  expect(err.failureClass).toBe("environment");
  expect(err.message).toContain("gh auth login");
  expect(err.message).toContain("PUSHPALS_GITHUB_TOKEN");
  const off = await refused(resolveGithubToken({ env: { PATH: ghPrints }, runGh: false }));
  expect(off.message).toContain("PUSHPALS_GITHUB_TOKEN");
});

test("gh failing or hanging: the fix, gh's stderr, never its stdout", async () => {
  const loggedOut = fakeGh("logged-out", "echo partial-secret-output; echo 'no oauth token found for github.com' >&2; exit 1");
  const err = await refused(resolveGithubToken({ env: { PATH: loggedOut } }));
  expect(err.message).toContain("no oauth token found for github.com");
  expect(err.message).toContain("gh auth login");
  expect(JSON.stringify({ m: err.message, e: err.evidence })).not.toContain("partial-secret-output");

  const hangs = fakeGh("hangs", "exec sleep 30");
  const started = Date.now();
  const slow = await refused(resolveGithubToken({ env: { PATH: hangs }, ghTimeoutMs: 300 }));
  expect(slow.message).toContain("did not finish");
  expect(Date.now() - started).toBeLessThan(5_000);
});
