import { afterEach, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { makeRepo, PUSHPALS_BIN } from "./helpers/cluster.ts";
import { tempDir } from "./helpers/temp.ts";

/**
 * Issue #14: each component process loads only its own role's modules. The runtime runs through
 * `pushpals start` (the supervisor starts each role's entry point), ships and merges one PR, and stops;
 * every process then says which modules it loaded (PUSHPALS_DEBUG_MODULES_DIR).
 */

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

interface Report {
  role: string;
  argv: string[];
  modules: string[];
}

const REVIEW_RULES = /\/src\/review\/(reviewers\/|run-review|builtin-reviewers)|@secretlint\//;
const GITHUB_CLIENT = /@octokit\//;
const CLI = /\/src\/cli\/|\/node_modules\/commander\//;
const SERVER = /\/src\/server\/|\/src\/store\/sqlite-store/;

test("a WorkerPal never loads the review rules, the GitHub client, the server or the CLI; each agent only its own", async () => {
  const repo = await makeRepo({ configToml: '[[checks.commands]]\nname = "ok"\nrun = "true"\n', files: { "src/a.txt": "one\n" } });
  cleanups.push(repo.cleanup);
  const reports = tempDir("pushpals-modules-");
  cleanups.push(reports.cleanup);
  const env = { ...process.env, PUSHPALS_DEBUG_MODULES_DIR: reports.path };
  const cli = (args: string[]) => {
    const r = Bun.spawnSync([PUSHPALS_BIN, ...args], { cwd: repo.root, stdout: "pipe", stderr: "pipe", env });
    return { exitCode: r.exitCode, out: r.stdout.toString() + r.stderr.toString() };
  };
  cleanups.unshift(() => void cli(["stop"]));
  const start = cli(["start", "--detach", "--workers", "1"]);
  expect(start.out).toContain("all systems online");
  const run = cli(["run", "--scope", "src/**", "--", "echo two >> src/a.txt"]);
  expect(run.exitCode, run.out).toBe(0);
  const merge = cli(["pr", "merge", "1"]);
  expect(merge.exitCode, merge.out).toBe(0);
  const status = cli(["status"]);
  expect(status.exitCode, status.out).toBe(0);
  expect(cli(["stop"]).exitCode).toBe(0);

  const byRole = new Map<string, Report>();
  const commands = new Map<string, Report>();
  for (const file of readdirSync(reports.path)) {
    const report = JSON.parse(readFileSync(join(reports.path, file), "utf8")) as Report;
    if (report.role === "cli") commands.set(report.argv[0]!, report);
    else byRole.set(report.role === "agent" ? report.argv[0]! : report.role, report);
  }
  // `status` answers from the server alone: it never loads the config (its schemas, TOML, the kinds).
  expect(commands.get("status")!.modules.filter((m) => /\/src\/config\/(load|schema)\.ts|\/src\/kinds\/|smol-toml|\/semver\//.test(m))).toEqual([]);
  expect([...byRole.keys()].sort()).toEqual(["remote-agent", "review-agent", "scm", "server", "supervisor", "worker"]);
  const loaded = (role: string, pattern: RegExp) => byRole.get(role)!.modules.filter((m) => pattern.test(m));

  // The worker ran a codemod and its checks: its handler is there, no other role's.
  expect(loaded("worker", /\/src\/kinds\/run\/run-handler\.ts$/)).toHaveLength(1);
  expect(loaded("worker", REVIEW_RULES)).toEqual([]);
  expect(loaded("worker", GITHUB_CLIENT)).toEqual([]);
  expect(loaded("worker", /\/src\/kinds\/(merge|review)\/.*handler/)).toEqual([]);
  // The ReviewAgent reviewed the PR (so the report is real), with the rules loaded on first use.
  expect(loaded("review-agent", REVIEW_RULES).length).toBeGreaterThan(0);
  expect(loaded("review-agent", /\/src\/kinds\/run\/run-handler\.ts$/)).toEqual([]);
  // The SourceControlManager merged it; it reviews nothing, and with the local provider it needs no GitHub client.
  expect(loaded("scm", /\/src\/kinds\/merge\/merge-handler\.ts$/)).toHaveLength(1);
  expect(loaded("scm", REVIEW_RULES)).toEqual([]);
  expect(loaded("scm", GITHUB_CLIENT)).toEqual([]);
  expect(loaded("remote-agent", /\/src\/kinds\/.*handler|\/src\/runtime\/worker-runtime/)).toEqual([]);
  for (const [role, report] of byRole) {
    expect({ role, cli: report.modules.filter((m) => CLI.test(m)) }).toEqual({ role, cli: [] });
    if (role !== "server" && role !== "supervisor") expect({ role, server: report.modules.filter((m) => SERVER.test(m)) }).toEqual({ role, server: [] });
  }
}, 90_000);

test("a repository's bunfig.toml preload and .env never reach a PushPals process (CLI, supervisor, components)", async () => {
  const marker = tempDir("pushpals-preload-");
  cleanups.push(marker.cleanup);
  const repo = await makeRepo({
    configToml: '[[checks.commands]]\nname = "ok"\nrun = "true"\n',
    files: {
      "bunfig.toml": 'preload = ["./evil.ts"]\n',
      "evil.ts": `require("node:fs").appendFileSync(${JSON.stringify(join(marker.path, "ran"))}, process.argv.join(" ") + "\\n");\n`,
      ".env": "PUSHPALS_SANDBOX_MODE=off\n",
    },
  });
  cleanups.push(repo.cleanup);
  const cli = (args: string[]) => Bun.spawnSync([PUSHPALS_BIN, ...args], { cwd: repo.root, stdout: "pipe", stderr: "pipe" });
  cleanups.unshift(() => void cli(["stop"]));
  const start = cli(["start", "--detach", "--workers", "1"]);
  expect(start.stdout.toString()).toContain("all systems online");
  const config = cli(["config", "--json"]).stdout.toString();
  expect(config).not.toContain("env PUSHPALS_SANDBOX_MODE");
  expect(cli(["stop"]).exitCode).toBe(0);
  expect(readdirSync(marker.path)).toEqual([]);
}, 60_000);
