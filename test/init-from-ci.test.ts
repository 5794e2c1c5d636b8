import { afterAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfigText } from "../src/config/load.ts";
import { Cluster, makeRepo, PUSHPALS_BIN } from "./helpers/cluster.ts";

/**
 * The golden path on a repository with CI: `pushpals init` configures the checks its workflow runs,
 * in its order, and shows what it left out and why; a check this machine cannot run fails as an
 * environment problem that names the fix, not as broken code.
 */

const cleanups: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const WORKFLOW = `name: ci
on:
  push:
    branches: [main]
  pull_request:
jobs:
  test:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        node: [20, 22]
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: \${{ matrix.node }}
      - run: npm ci
      - run: npm run check:type
      - run: |
          npm run lint
          npm test -- --coverage
      - run: npx playwright install --with-deps
      - run: npm run test:e2e
  db:
    runs-on: ubuntu-latest
    services:
      postgres:
        image: postgres:16
    steps:
      - run: npm run test:db
`;

const SCRIPTS = {
  "check:type": "tsc --noEmit",
  lint: "eslint .",
  "lint:fix": "eslint --fix .",
  test: "vitest run",
  "test:e2e": "playwright test",
  "test:db": "vitest run db",
  build: "vite build",
  format: "prettier --write .",
};

test("init configures exactly the checks the GitHub workflow runs, in its order, and prints what CI runs beside them", async () => {
  const repo = await makeRepo({ files: { "package.json": JSON.stringify({ name: "app", scripts: SCRIPTS }), "package-lock.json": "{}", ".github/workflows/ci.yml": WORKFLOW } });
  cleanups.push(repo.cleanup);
  const r = Bun.spawnSync([PUSHPALS_BIN, "init"], { cwd: repo.root, stdout: "pipe", stderr: "pipe" });
  const stdout = r.stdout.toString();
  expect(r.stderr.toString()).toBe("");
  expect(r.exitCode).toBe(0);

  const commands = parseConfigText(readFileSync(join(repo.root, ".pushpals/config.toml"), "utf8"), "config.toml").checks.commands;
  expect(commands).toEqual([
    { name: "check:type", run: "npm run check:type" },
    { name: "lint", run: "npm run lint" },
    // vitest has a JUnit reporter built in: turned on, so the test-level results are recorded.
    { name: "test", run: "npm test -- --coverage --reporter=default --reporter=junit --outputFile.junit=.git/pushpals-report-test.xml", report: ".git/pushpals-report-test.xml" },
  ]);

  expect(stdout).toContain("checks: check:type, lint, test\n");
  expect(stdout).toContain("CI: .github/workflows/ci.yml, beside the configured checks:\n");
  const table = stdout.split("\n").filter((line) => line.startsWith("  "));
  expect(table.map((line) => line.trim().split(/\s{2,}/))).toEqual([
    ["WHERE", "CI RUNS", "CONFIGURED", "WHY"],
    ["ci.yml test", "npm ci", "-", "installs dependencies; PushPals installs from the lockfile itself before the checks"],
    ["ci.yml test", "npm run check:type", "check:type"],
    ["ci.yml test", "npm run lint", "lint"],
    ["ci.yml test", "npm test -- --coverage", "test"],
    ["ci.yml test", "npx playwright install --with-deps", "-", "needs a browser (playwright)"],
    ["ci.yml test", "npm run test:e2e", "-", 'the "test:e2e" script needs a browser (playwright)'],
    ["ci.yml db", "npm run test:db", "-", "needs services (postgres)"],
  ]);
  expect(stdout).toContain('note: package.json also has "build", which CI does not run: not configured');

  const json = JSON.parse(Bun.spawnSync([PUSHPALS_BIN, "init", "--json"], { cwd: repo.root, stdout: "pipe" }).stdout.toString());
  expect(json).toMatchObject({ created: false, wouldAdd: [], detected: { ciFiles: [".github/workflows/ci.yml"] } });
  expect(json.detected.ci[1]).toEqual({ where: "ci.yml test", ci: "npm run check:type", check: "check:type", why: "", blocked: false });
});

test("a check whose program is not installed fails as environment, naming the program and the fix (not checks_failed)", async () => {
  const config = '[jobs]\nmax_attempts = 1\n\n[[checks.commands]]\nname = "probe"\nrun = "definitely-not-installed-xyz --version"\n';
  const cluster = await Cluster.create({ configToml: config });
  cleanups.push(() => cluster.stop());
  await cluster.startServer();
  await cluster.startWorker("toolchain-worker");

  // Asynchronously, so the server's and worker's output keeps being read while the job runs.
  const proc = Bun.spawn([PUSHPALS_BIN, "check", "--wait", "--json"], { cwd: cluster.root, stdout: "pipe", stderr: "pipe", env: { ...process.env, ...cluster.env } });
  const [stdout, exitCode] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  expect(exitCode).toBe(1);
  const { job } = JSON.parse(stdout);
  expect(job.state).toBe("failed");
  expect(job.failure).toMatchObject({ class: "environment", evidence: { command: "definitely-not-installed-xyz --version", exitCode: 127 } });
  expect(job.failure.message).toMatch(/^probe could not run here: `definitely-not-installed-xyz` is not installed on this machine \(exit 127, command not found\); fix: install definitely-not-installed-xyz and make sure it is on PATH; or remove the check "probe" from \.pushpals\/config\.toml$/);

  const doctor = cluster.cli(["doctor"]);
  expect(doctor.stdout).toContain('warn  PP012 definitely-not-installed-xyz is not installed (not on PATH), so the check "probe" cannot run here');
}, 60_000);

test("a check that runs out of memory fails as environment naming sandbox.memory_mb, and WebAssembly runs under the same limit", async () => {
  const checks = [
    ["wasm", `node -e "new WebAssembly.Memory({ initial: 1 }); console.log('wasm ok')"`],
    ["hog", `python3 -c 'b = b"x" * (600 << 20)'`],
  ];
  const config = `[jobs]\nmax_attempts = 1\n\n[sandbox]\nmemory_mb = 256\n\n${checks.map(([name, run]) => `[[checks.commands]]\nname = "${name}"\nrun = ${JSON.stringify(run)}\n`).join("\n")}`;
  const cluster = await Cluster.create({ configToml: config });
  cleanups.push(() => cluster.stop());
  await cluster.startServer();
  await cluster.startWorker("memory-worker");
  const proc = Bun.spawn([PUSHPALS_BIN, "check", "--wait", "--json"], { cwd: cluster.root, stdout: "pipe", stderr: "pipe", env: { ...process.env, ...cluster.env } });
  const [stdout, exitCode] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  expect(exitCode).toBe(1);
  const { job } = JSON.parse(stdout);
  expect(job.failure).toMatchObject({ class: "environment", evidence: { command: checks[1]![1] } });
  expect(job.failure.message).toBe("hog ran out of memory (sandbox.memory_mb = 256) and was stopped: raise sandbox.memory_mb in .pushpals/config.toml, or make it use less");
  const logs = cluster.cli(["logs", job.id]).stdout;
  expect(logs).toContain("wasm ok");
}, 60_000);

test("a check that tries the network in the sandbox fails as environment saying so, not checks_failed", async () => {
  // As a test's unhandled fetch reports it: "TypeError: fetch failed" with the getaddrinfo cause.
  const run = `node --input-type=module -e "await fetch('https://registry.example.org/x')"`;
  const config = `[jobs]\nmax_attempts = 1\n\n[[checks.commands]]\nname = "online"\nrun = ${JSON.stringify(run)}\n`;
  const cluster = await Cluster.create({ configToml: config });
  cleanups.push(() => cluster.stop());
  await cluster.startServer();
  await cluster.startWorker("network-worker");
  const proc = Bun.spawn([PUSHPALS_BIN, "check", "--wait", "--json"], { cwd: cluster.root, stdout: "pipe", stderr: "pipe", env: { ...process.env, ...cluster.env } });
  const [stdout] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  const { job } = JSON.parse(stdout);
  const failure = job.failure as { class: string; message: string };
  expect(failure.class).toBe("environment");
  expect(failure.message).toContain("sandbox.network");
}, 60_000);
