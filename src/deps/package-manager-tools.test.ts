import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { JobFailure } from "../core/job-failure.ts";
import { resolveSandboxSpec } from "../sandbox/resolve-spec.ts";
import { runCommand } from "../sandbox/run-command.ts";
import type { CommandSandbox } from "../sandbox/sandbox-for.ts";
import { DEFAULT_SANDBOX_SETTINGS } from "../sandbox/sandbox-settings.ts";
import { SANDBOX_PM_BIN, SANDBOX_PM_DIR } from "../sandbox/sandbox-spec.ts";
import { providePackageManager, withTools, type PackageManagerTools } from "./package-manager-tools.ts";
import { fakePnpmPackage, integrityOf, packTarball } from "./provision-fixture.ts";
import { provisionRelease } from "./provision.ts";

// Real bwrap, no network: the package manager a checkout gets is found first on PATH inside the sandbox,
// with none on the worker's own PATH (PATH is narrowed to the system's directories for each test).
const root = tempDir("pushpals-pm-tools-");
const cacheDir = join(root.path, "deps-cache");
const pmRoot = join(root.path, "package-managers");
const workerPath = process.env.PATH;
afterEach(() => void (process.env.PATH = workerPath));
afterAll(() => root.cleanup());

let n = 0;
function checkout(files: Record<string, string>): string {
  const dir = join(root.path, `co${++n}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
const confined = (dir: string): CommandSandbox => resolveSandboxSpec({ writableDir: dir, network: false, settings: DEFAULT_SANDBOX_SETTINGS });

function provide(dir: string, pm: "bun" | "pnpm", sandbox: CommandSandbox, lockfile: string | null) {
  return providePackageManager({ packageManager: pm, lockfile }, { dir, cacheDir, sandbox, signal: new AbortController().signal, timeoutSeconds: 30, log: () => {} });
}

async function run(command: string, dir: string, sandbox: CommandSandbox, tools?: PackageManagerTools): Promise<{ exitCode: number | null; output: string }> {
  const lines: string[] = [];
  const options = tools ? withTools({ sandbox, env: {} }, tools) : { sandbox, env: {} };
  const r = await runCommand(command, { cwd: dir, timeoutMs: 30_000, signal: new AbortController().signal, ...options, onLine: (_s, line) => lines.push(line) });
  return { exitCode: r.exitCode, output: lines.join("\n") };
}

/** The worker's PATH without PushPals' node_modules/.bin (where its bun is) or any other bun. */
function withoutBunOnPath(): void {
  process.env.PATH = "/usr/local/bin:/usr/bin:/bin";
  expect(Bun.which("bun", { PATH: process.env.PATH })).toBeNull();
}

describe("a Bun repository whose pin PushPals' Bun satisfies", () => {
  const files = { "package.json": JSON.stringify({ name: "app", packageManager: `bun@${Bun.version}` }), "a.test.ts": 'import { expect, test } from "bun:test";\ntest("adds", () => expect(1 + 1).toBe(2));\n' };

  test("gets PushPals' own binary as `bun`, first on PATH in the sandbox: `bun test` runs with no bun on the worker's PATH", async () => {
    withoutBunOnPath();
    const dir = checkout(files);
    const sandbox = confined(dir);
    const tools = await provide(dir, "bun", sandbox, "bun.lock");
    expect(tools.files).toEqual([{ source: realpathSync(process.execPath), target: `${SANDBOX_PM_BIN}/bun` }]);
    expect(tools.source).toBe(`Bun ${Bun.version}, the one PushPals runs on`);
    expect((await run("bun --version", dir, sandbox)).exitCode).toBe(127);
    const checked = await run("bun --version && bun test 2>&1", dir, sandbox, tools);
    expect(checked.exitCode).toBe(0);
    expect(checked.output).toContain(Bun.version);
    expect(checked.output).toContain("1 pass");
  });

  test("unconfined (sandbox.mode = off), PATH leads to a link to the same binary", async () => {
    withoutBunOnPath();
    const dir = checkout(files);
    const tools = await provide(dir, "bun", "off", "bun.lock");
    expect(tools.files).toEqual([]);
    expect(tools.hostBin).toBe(join(pmRoot, "bun-runtime", "bin"));
    expect(await run("bun --version", dir, "off", tools)).toEqual({ exitCode: 0, output: Bun.version });
  });

  test("a pin it does not satisfy must be fetched, which an install without network cannot: the job says so", async () => {
    const dir = checkout({ "package.json": JSON.stringify({ packageManager: "bun@1.0.0" }) });
    const err = await provide(dir, "bun", confined(dir), "bun.lock").then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(JobFailure);
    expect((err as JobFailure).failureClass).toBe("environment");
    expect((err as JobFailure).message).toMatch(/^@oven\/bun-[\w-]+@1\.0\.0 \(packageManager "bun@1\.0\.0" in package\.json\) must be fetched from your npm registry once, but dependency installs have no network here/);
  });
});

describe("a provisioned pnpm", () => {
  const version = "10.42.0";
  const pnpmRepo = { "package.json": JSON.stringify({ name: "app", packageManager: `pnpm@${version}`, scripts: { test: "echo tested" } }), "pnpm-lock.yaml": "lockfileVersion: '9.0'\n" };

  async function provisioned(): Promise<void> {
    if (existsSync(join(pmRoot, `pnpm@${version}`))) return;
    const tarball = packTarball(fakePnpmPackage(version));
    const requirement = { pm: "pnpm" as const, version, exact: true, hash: null, source: "test" };
    await provisionRelease({ root: pmRoot, pm: "pnpm", requirement, npmPackage: "pnpm", version, fetch: async () => ({ version, tarball, dist: { integrity: integrityOf(tarball) } }), log: () => {} });
  }

  test("is bound read-only into the sandbox and runs there as `pnpm`: the version probe and the install see it", async () => {
    await provisioned();
    process.env.PATH = "/usr/local/bin:/usr/bin:/bin";
    const dir = checkout(pnpmRepo);
    const sandbox = confined(dir);
    const tools = await provide(dir, "pnpm", sandbox, "pnpm-lock.yaml");
    expect(tools.files).toEqual([{ source: realpathSync(join(pmRoot, `pnpm@${version}`)), target: SANDBOX_PM_DIR }]);
    const r = await run("pnpm --version && pnpm install --frozen-lockfile && pnpm test && touch /tmp/.pushpals/pm/bin/x 2>/dev/null || echo read-only", dir, sandbox, tools);
    expect(r.output.split("\n")).toEqual([version, `fake pnpm ${version}: lockfile is up to date, installed`, "tested", "read-only"]);
    expect(readFileSync(join(dir, "node_modules", ".modules.yaml"), "utf8")).toContain(`pnpm@${version}`);
  });

  test("unconfined, its bin directory comes first on PATH", async () => {
    await provisioned();
    const dir = checkout(pnpmRepo);
    const tools = await provide(dir, "pnpm", "off", "pnpm-lock.yaml");
    expect(await run("pnpm --version", dir, "off", tools)).toEqual({ exitCode: 0, output: version });
  });
});
