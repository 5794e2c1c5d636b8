import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Cluster } from "./helpers/cluster.ts";
import { tempDir } from "./helpers/temp.ts";
import { startVerdaccio, type LocalRegistry } from "./helpers/verdaccio.ts";

/** `pushpals doctor --registry` (PP014) asks the registry the way an install does, before any job needs it. */

const scratch = tempDir("pushpals-doctor-registry-");
let registry: LocalRegistry;
beforeAll(async () => {
  registry = await startVerdaccio();
}, 60_000);
afterAll(async () => {
  await registry?.stop();
  scratch.cleanup();
});

async function doctorWith(registryUrl: string) {
  const home = join(scratch.path, `home-${Math.random().toString(36).slice(2)}`);
  mkdirSync(home, { recursive: true });
  const userNpmrc = join(home, ".npmrc");
  writeFileSync(userNpmrc, `registry=${registryUrl}\n`);
  const c = await Cluster.create({ configToml: '[[checks.commands]]\nname = "ok"\nrun = "true"\n', env: { HOME: home, NPM_CONFIG_USERCONFIG: userNpmrc, npm_config_userconfig: userNpmrc, npm_config_globalconfig: "/dev/null" } });
  try {
    const r = c.cli(["doctor", "--registry", "--json"]);
    const { findings } = JSON.parse(r.stdout) as { findings: { code: string; level: string; message: string; fix?: string }[] };
    return findings.find((f) => f.code === "PP014");
  } finally {
    await c.stop();
  }
}

test("the user's registry answers through the install sandbox and the egress proxy: ok, naming it", async () => {
  const finding = await doctorWith(registry.url);
  expect(finding).toMatchObject({ level: "ok" });
  expect(finding!.message).toContain(registry.url.replace(/\/?$/, "/"));
}, 60_000);

test("a registry that does not answer is a warning with the cause and a fix, before any job fails on it", async () => {
  const finding = await doctorWith("http://127.0.0.1:9/");
  expect(finding).toMatchObject({ level: "warn" });
  expect(finding!.message).toContain("did not answer an install's request");
  expect(finding!.fix).toBeTruthy();
}, 60_000);

test("without --registry doctor asks no registry", async () => {
  const c = await Cluster.create({});
  try {
    const { findings } = JSON.parse(c.cli(["doctor", "--json"]).stdout) as { findings: { code: string }[] };
    expect(findings.map((f) => f.code)).not.toContain("PP014");
  } finally {
    await c.stop();
  }
}, 60_000);
