import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfigText } from "../src/config/load.ts";
import { Cluster, PUSHPALS_BIN } from "./helpers/cluster.ts";
import { tempDir } from "./helpers/temp.ts";
import { startVerdaccio, type LocalRegistry } from "./helpers/verdaccio.ts";

/**
 * Issue #13's fixture repositories not covered elsewhere: a Go module on a machine without Go, and a
 * Yarn Berry repository pinned to a release the registry does not have: each gets exactly its finding.
 */

const scratch = tempDir("pushpals-golden-repos-");
let registry: LocalRegistry;
beforeAll(async () => {
  registry = await startVerdaccio();
}, 60_000);
afterAll(async () => {
  await registry?.stop();
  scratch.cleanup();
});

/** A cluster whose worker's npm config names only the local registry: nothing reaches the internet. */
async function cluster(files: Record<string, string>, configToml?: string): Promise<Cluster> {
  const home = join(scratch.path, `home-${Math.random().toString(36).slice(2)}`);
  mkdirSync(home, { recursive: true });
  const userNpmrc = join(home, ".npmrc");
  writeFileSync(userNpmrc, `registry=${registry.url}\n`);
  return Cluster.create({ files, ...(configToml ? { configToml } : {}), env: { HOME: home, NPM_CONFIG_USERCONFIG: userNpmrc, npm_config_userconfig: userNpmrc, npm_config_globalconfig: "/dev/null" } });
}

async function checkOnBase(c: Cluster): Promise<{ state: string; failure?: { class: string; message: string } }> {
  await c.startServer();
  await c.startWorker("w1");
  const proc = Bun.spawn([PUSHPALS_BIN, "check", "--wait", "--json"], { cwd: c.root, stdout: "pipe", stderr: "pipe", env: { ...process.env, ...c.env } });
  const [stdout] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  return JSON.parse(stdout).job;
}

const goAvailable = Bun.which("go") !== null;

test.skipIf(goAvailable)("a Go module on a machine without Go: init configures go vet and go test, doctor warns, and the check is environment naming go", async () => {
  const c = await cluster({ "go.mod": "module example.com/x\n\ngo 1.22\n", "x.go": "package x\n", "x_test.go": "package x\n" });
  try {
    expect(c.cli(["init"]).exitCode).toBe(0);
    const config = parseConfigText(readFileSync(join(c.root, ".pushpals/config.toml"), "utf8"), "config.toml");
    expect(config.checks.commands.map((k) => k.run)).toEqual(["go vet ./...", "go test ./..."]);
    expect(c.cli(["doctor"]).stdout).toMatch(/warn\s+PP012 go is not installed/);
    for (const args of [["add", "-A"], ["commit", "-qm", "config"]]) Bun.spawnSync(["git", ...args], { cwd: c.root });
    const job = await checkOnBase(c);
    expect(job.failure?.class).toBe("environment");
    expect(job.failure?.message).toContain("`go` is not installed on this machine");
  } finally {
    await c.stop();
  }
}, 60_000);

test("a Yarn Berry repository pinned to a release the registry does not have: environment, naming the pin and the fix, not retried", async () => {
  const files = {
    "package.json": `${JSON.stringify({ name: "app", private: true, packageManager: "yarn@4.99.0" })}\n`,
    "yarn.lock": '__metadata:\n  version: 8\n  cacheKey: 10c0\n\n"app@workspace:.":\n  version: 0.0.0-use.local\n  resolution: "app@workspace:."\n  languageName: unknown\n  linkType: soft\n',
    ".yarnrc.yml": "nodeLinker: node-modules\n",
  };
  const c = await cluster(files, '[jobs]\nmax_attempts = 3\n\n[[checks.commands]]\nname = "ok"\nrun = "true"\n');
  try {
    const job = await checkOnBase(c);
    expect(job.state).toBe("failed");
    expect(job.failure?.class).toBe("environment");
    expect(job.failure?.message).toContain('packageManager "yarn@4.99.0"');
    const history = JSON.parse(c.cli(["job", (job as unknown as { id: string }).id, "--json"]).stdout) as { transitions: { to: string }[] };
    expect(history.transitions.filter((t) => t.to === "running")).toHaveLength(1);
  } finally {
    await c.stop();
  }
}, 60_000);
