import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { configFromProposal, proposeConfig, type InitDetection } from "../src/config/init-plan.ts";
import { parseConfigText } from "../src/config/load.ts";
import { makeRepo, PUSHPALS_BIN, type RepoOptions } from "./helpers/cluster.ts";
import { tempDir } from "./helpers/temp.ts";

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups) c();
});

async function repo(files: Record<string, string>, options: RepoOptions = {}): Promise<string> {
  const r = await makeRepo({ ...options, files });
  cleanups.push(r.cleanup);
  return r.root;
}

function init(cwd: string, ...args: string[]): { exitCode: number; stdout: string; stderr: string } {
  const r = Bun.spawnSync([PUSHPALS_BIN, "init", ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

const configOf = (root: string) => readFileSync(join(root, ".pushpals/config.toml"), "utf8");
const commandsOf = (root: string) => parseConfigText(configOf(root), "config.toml").checks.commands;
const pkg = (scripts: Record<string, string>, extra: Record<string, unknown> = {}) => JSON.stringify({ name: "app", scripts, ...extra }, null, 2);
const NPM_SCRIPTS = { test: "vitest run", lint: "eslint .", typecheck: "tsc --noEmit", build: "vite build", format: "prettier --write ." };

describe("a new config", () => {
  test("npm repository: writes the checks (a plain format script is not one) and says what it decided", async () => {
    const root = await repo({ "package.json": pkg(NPM_SCRIPTS), "package-lock.json": "{}" });
    const r = init(root);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("package manager: npm (package-lock.json)\n");
    expect(r.stdout).toContain("checks: typecheck, lint, test, build\n");
    expect(r.stdout).toMatch(/note: the "format" script rewrites files.*format:check/);
    expect(r.stdout).toContain("wrote .pushpals/config.toml\n");
    expect(r.stdout).toMatch(/next: .*pushpals start/);
    expect(commandsOf(root)).toEqual([
      { name: "typecheck", run: "npm run typecheck" },
      { name: "lint", run: "npm run lint" },
      { name: "test", run: "npm test -- --reporter=default --reporter=junit --outputFile.junit=.git/pushpals-report-test.xml", report: ".git/pushpals-report-test.xml" },
      { name: "build", run: "npm run build" },
    ]);
    const text = configOf(root);
    expect(text).toMatch(/^# .*pushpals init/);
    expect(text).toContain("<git-common-dir>/pushpals/config.local.toml");
    expect(text).toContain("PUSHPALS_<SECTION>_<KEY>");
  });

  test("the written file parses into exactly what detection proposed", async () => {
    const root = await repo({ "package.json": pkg({ ...NPM_SCRIPTS, "format:check": "prettier --check ." }), "package-lock.json": "{}" });
    const r = init(root, "--json");
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout) as { configPath: string; created: boolean; wouldAdd: unknown[]; added: unknown[]; detected: InitDetection };
    expect(out).toMatchObject({ configPath: join(root, ".pushpals/config.toml"), created: true, wouldAdd: [], added: [] });
    expect(out.detected).toMatchObject({ packageManager: "npm", lockfile: "package-lock.json", baseBranch: "main", workers: 2 });
    expect(out.detected.checks.at(-1)).toEqual({ name: "format:check", run: "npm run format:check" });
    expect(out.detected).toMatchObject({ ciFiles: [], ci: [] });
    const config = parseConfigText(configOf(root), out.configPath);
    expect(config).toEqual(configFromProposal(proposeConfig(out.detected)));
    expect(config).toMatchObject({ repo: { base_branch: "main" }, workers: { count: 2 }, install: { package_manager: "npm", allow_scripts: false } });
  });

  test.each([
    ["pnpm-lock.yaml", "pnpm", ["pnpm run lint", "pnpm test"]],
    ["yarn.lock", "yarn", ["yarn run lint", "yarn test"]],
    ["bun.lock", "bun", ["bun run lint", "bun run test"]],
  ])("%s: %s commands", async (lockfile, pm, runs) => {
    const root = await repo({ "package.json": pkg({ lint: "eslint .", test: "jest" }), [lockfile]: "" });
    const r = init(root);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`package manager: ${pm} (${lockfile})`);
    expect(commandsOf(root).map((c) => c.run)).toEqual(runs);
    expect(parseConfigText(configOf(root), "c").install.package_manager).toBe(pm as "npm");
  });

  test("the packageManager field in package.json wins over the lockfile", async () => {
    const root = await repo({ "package.json": pkg({ test: "jest" }, { packageManager: "pnpm@9.0.0" }), "package-lock.json": "{}" });
    const r = init(root);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/package manager: pnpm \(packageManager "pnpm@9\.0\.0" in package\.json\)/);
    expect(r.stdout).toMatch(/note: package\.json says pnpm but the lockfile is package-lock\.json/);
    expect(commandsOf(root)).toEqual([{ name: "test", run: "pnpm test" }]);
  });

  test.each([
    [{ "Cargo.toml": '[package]\nname = "x"\nversion = "0.1.0"\n' }, ["cargo test"]],
    [{ "go.mod": "module example.com/x\n\ngo 1.22\n" }, ["go vet ./...", "go test ./..."]],
    [{ "pom.xml": "<project/>\n" }, ["mvn -B test"]],
    [{ Makefile: "build:\n\tcc -o x x.c\n\ntest: build\n\t./x --self-test\n" }, ["make test"]],
  ])("non-JS repository %o: %p, package manager none", async (files, runs) => {
    const root = await repo(files);
    const r = init(root);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("package manager: none");
    expect(commandsOf(root).map((c) => c.run)).toEqual(runs);
    expect(parseConfigText(configOf(root), "c")).toMatchObject({ install: { package_manager: "none" } });
  });

  test("nothing recognisable: no commands, a note with the fix, and a file that still parses", async () => {
    const root = await repo({ "notes.txt": "hello\n" });
    const r = init(root);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("checks: none detected");
    expect(r.stdout).toContain("CI: none found (looked for GitHub Actions, GitLab CI, CircleCI, Azure Pipelines)\n");
    expect(r.stdout).toMatch(/note: no test command detected: add \[\[checks\.commands\]\].*\(looked for package\.json scripts, CI workflows, go\.mod/);
    expect(commandsOf(root)).toEqual([]);
    expect(configOf(root)).toContain("# [[checks.commands]]");
  });

  test("from a subfolder: written at the repository root", async () => {
    const root = await repo({ "package.json": pkg({ test: "jest" }), "package-lock.json": "{}", "packages/app/index.js": "" });
    const r = init(join(root, "packages/app"));
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("wrote ../../.pushpals/config.toml");
    expect(existsSync(join(root, ".pushpals/config.toml"))).toBe(true);
    expect(existsSync(join(root, "packages/app/.pushpals"))).toBe(false);
  });

  test("outside a git repository: exit 6 with the fix, nothing written", () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const r = init(dir.path);
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toMatch(/not inside a git repository[\s\S]*fix: .*git init/);
    expect(existsSync(join(dir.path, ".pushpals"))).toBe(false);
  });

  test("--help explains it with examples", async () => {
    const r = init(await repo({}), "--help");
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/--yes[\s\S]*Examples:[\s\S]*pushpals init --yes/);
  });
});

describe("an existing config", () => {
  const FILES = { "package.json": pkg({ lint: "eslint .", test: "jest", typecheck: "tsc" }), "package-lock.json": "{}" };

  test("edited by the user: kept byte-identical, reports what it would add; --yes appends only that; then nothing", async () => {
    const root = await repo(FILES);
    expect(init(root).exitCode).toBe(0);
    const edited = configOf(root)
      .replace('run = "npm test"', 'run = "npm test -- --ci"  # CI mode')
      .replace(/\[\[checks\.commands\]\]\nname = "lint"\nrun = "npm run lint"\n\n/, "")
      .concat("# my own comment, no newline at the end");
    writeFileSync(join(root, ".pushpals/config.toml"), edited);

    const report = init(root);
    expect(report.exitCode).toBe(0);
    expect(configOf(root)).toBe(edited);
    expect(report.stdout).toContain('would add check "lint" (npm run lint)');
    expect(report.stdout).not.toContain('"test"');
    expect(report.stdout).toContain("pushpals init --yes");
    expect(JSON.parse(init(root, "--json").stdout)).toMatchObject({ created: false, added: [], wouldAdd: [{ kind: "check", name: "lint", run: "npm run lint" }] });
    expect(configOf(root)).toBe(edited);

    const yes = init(root, "--yes");
    expect(yes.exitCode).toBe(0);
    expect(yes.stdout).toContain('added check "lint" (npm run lint)');
    const after = configOf(root);
    expect(after.startsWith(edited)).toBe(true);
    expect(after.slice(edited.length)).toMatch(/^\n\n# added by pushpals init on \d{4}-\d{2}-\d{2}\n[\s\S]*\[\[checks\.commands\]\]\nname = "lint"\nrun = "npm run lint"\n$/);
    expect(commandsOf(root).map((c) => c.name)).toEqual(["typecheck", "test", "lint"]);
    expect(commandsOf(root).find((c) => c.name === "test")?.run).toBe("npm test -- --ci");

    const again = init(root, "--yes", "--json");
    expect(JSON.parse(again.stdout)).toMatchObject({ created: false, wouldAdd: [], added: [] });
    expect(init(root).stdout).toContain("nothing to add");
    expect(configOf(root)).toBe(after);
  });

  test("a hand-written file lacking sections: --yes appends the sections after every existing byte", async () => {
    const mine = '[checks]\ntimeout_seconds = 120\n\n[[checks.commands]]\nname = "unit"\nrun = "npm test"\n';
    const root = await repo(FILES, { configToml: mine });
    const r = init(root, "--yes", "--json");
    expect(r.exitCode).toBe(0);
    const added = (JSON.parse(r.stdout) as { added: { kind: string; name: string }[] }).added.map((i) => `${i.kind} ${i.name}`);
    expect(added).toEqual(["section repo", "section workers", "section jobs", "section install", "check typecheck", "check lint"]);
    const after = configOf(root);
    expect(after.startsWith(mine)).toBe(true);
    expect(parseConfigText(after, "c")).toMatchObject({ repo: { base_branch: "main" }, checks: { timeout_seconds: 120 }, install: { package_manager: "npm" } });
    expect(commandsOf(root).map((c) => c.name)).toEqual(["unit", "typecheck", "lint"]);
  });

  test("an invalid file: config_invalid, exit 2, untouched, even with --yes", async () => {
    const bad = '[workers]\ncount = "many"\n';
    const root = await repo(FILES, { configToml: bad });
    const r = init(root, "--yes");
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/config\.toml: workers\.count: .*"many".*left the file unchanged[\s\S]*fix:/);
    const json = init(root, "--json");
    expect(json.exitCode).toBe(2);
    expect(JSON.parse(json.stderr).error).toMatchObject({ code: "config_invalid", field: "workers.count" });
    expect(configOf(root)).toBe(bad);
  });

  test("commands as an inline array cannot be extended: --yes refuses and writes nothing", async () => {
    const inline = '[repo]\n[workers]\n[jobs]\n[install]\n[checks]\ncommands = [{ name = "t", run = "true" }]\n';
    const root = await repo(FILES, { configToml: inline });
    const r = init(root, "--yes");
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toMatch(/cannot append[\s\S]*fix: add these by hand: check "typecheck"/);
    expect(configOf(root)).toBe(inline);
  });
});

test("init writes the default policy (which parses to the defaults) once, and never touches an existing one", async () => {
  const { loadPolicy } = await import("../src/policy/load-policy.ts");
  const { DEFAULT_POLICY } = await import("../src/policy/policy-defaults.ts");
  const root = await repo({ "README.md": "# x\n" });
  const first = init(root);
  expect(first.exitCode).toBe(0);
  expect(first.stdout).toContain("wrote .pushpals/policy.toml");
  const path = join(root, ".pushpals", "policy.toml");
  expect(loadPolicy(root).policy).toEqual(DEFAULT_POLICY);
  writeFileSync(path, "[low]\nauto_merge = true\n");
  const again = init(root);
  expect(again.stdout).not.toContain("policy.toml");
  expect(readFileSync(path, "utf8")).toBe("[low]\nauto_merge = true\n");
});
