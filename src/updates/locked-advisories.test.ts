import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readNpmConfigSources } from "../registry/registry-config.ts";
import { auditLockedDependencies } from "./locked-advisories.ts";

const dir = mkdtempSync(join(tmpdir(), "pushpals-advisories-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const git = (...args: string[]) => Bun.spawnSync(["git", "-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: dir }).stdout.toString().trim();

test("a committed .npmrc that would run a program is a High finding of the audit, not its end", async () => {
  git("init", "-q");
  const deps = { "lib-a": "^1.0.0" };
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", dependencies: deps }));
  writeFileSync(join(dir, "package-lock.json"), JSON.stringify({ name: "app", version: "1.0.0", lockfileVersion: 3, requires: true, packages: { "": { name: "app", version: "1.0.0", dependencies: deps }, "node_modules/lib-a": { version: "1.2.0", resolved: "https://registry.npmjs.org/lib-a/-/lib-a-1.2.0.tgz", integrity: "sha512-AAAA" } } }));
  writeFileSync(join(dir, ".npmrc"), "script-shell=/tmp/evil\n");
  git("add", "-A");
  git("commit", "-qm", "c");
  const user = join(dir, "..", `${Date.now()}-user.npmrc`);
  writeFileSync(user, "");
  try {
    const audit = await auditLockedDependencies(dir, git("rev-parse", "HEAD"), { npmConfig: (d) => readNpmConfigSources(d, { NPM_CONFIG_USERCONFIG: user, HOME: dir }) });
    expect(audit.complete).toBe(false);
    expect(audit.findings).toContainEqual(expect.objectContaining({ check: "advisories", rule: "advisories_refused", severity: "high", message: expect.stringContaining("script-shell") }));
  } finally {
    rmSync(user, { force: true });
  }
});
