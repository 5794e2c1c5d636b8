import { afterAll, afterEach, expect, test } from "bun:test";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { JobFailure } from "../core/job-failure.ts";
import { fetchCommand, sandboxFetcher, type ReleaseSpec } from "./provision-fetch.ts";

const root = tempDir("pushpals-provision-fetch-");
const userConfig = process.env.NPM_CONFIG_USERCONFIG;
afterEach(() => {
  if (userConfig === undefined) delete process.env.NPM_CONFIG_USERCONFIG;
  else process.env.NPM_CONFIG_USERCONFIG = userConfig;
});
afterAll(() => root.cleanup());
let n = 0;
const spec = (npmPackage: string, version: string): ReleaseSpec => ({ npmPackage, version, source: "packageManager in package.json" });

async function failureOf(promise: Promise<unknown>): Promise<JobFailure> {
  const err = await promise.then(() => null, (e: unknown) => e);
  if (!(err instanceof JobFailure)) throw new Error(`expected a JobFailure, got ${String(err)}`);
  return err;
}

/** Unconfined (no proxy in the way), npm not retrying: what npm itself says decides the failure. */
function fetchUnconfined(env: Record<string, string>) {
  const registry = join(root.path, `npmrc${++n}`);
  writeFileSync(registry, "registry=http://127.0.0.1:9/\n");
  process.env.NPM_CONFIG_USERCONFIG = registry;
  const workDir = join(root.path, `work${n}`);
  mkdirSync(workDir);
  const fetch = sandboxFetcher({ sandbox: "off", signal: new AbortController().signal, timeoutMs: 30_000, env: { npm_config_fetch_retries: "0", ...env }, log: () => {} });
  return fetch(spec("pnpm", "10.2.0"), workDir);
}

test("the package and version go into the command single-quoted, and only when they are what they claim to be", () => {
  expect(fetchCommand(spec("pnpm", ">=9.0.0 <11.0.0"))).toStartWith("npm pack 'pnpm@>=9.0.0 <11.0.0' --json --ignore-scripts");
  expect(fetchCommand(spec("@yarnpkg/cli-dist", "4.5.0"))).toContain(`npm view "$(node -p 'require("./pack.json")[0].id')" dist --json`);
  for (const [name, version] of [["pnpm", "1.0.0'; touch /tmp/x; '"], ["pnpm", "$(id)"], ["pnpm;id", "1.0.0"], ["../pnpm", "1.0.0"]] as const) {
    expect(() => fetchCommand(spec(name, version))).toThrow(/is not a package and version PushPals can fetch/);
  }
});

test("a registry that cannot be reached is environment, naming what npm said", async () => {
  const err = await failureOf(fetchUnconfined({}));
  expect(err.failureClass).toBe("environment");
  expect(err.message).toContain("could not reach your npm registry to fetch pnpm@10.2.0: ECONNREFUSED");
  expect(err.evidence.notRetryable).toBeUndefined();
}, 30_000);

test("without npm there is nothing to fetch with: environment, saying so", async () => {
  const bin = join(root.path, "bin-without-npm");
  mkdirSync(bin);
  for (const tool of ["sh", "sleep"]) symlinkSync(Bun.which(tool)!, join(bin, tool));
  const err = await failureOf(fetchUnconfined({ PATH: bin }));
  expect([err.failureClass, err.message]).toEqual(["environment", "npm is not installed on this worker, and PushPals fetches pnpm@10.2.0 with it: install Node.js with npm"]);
});
