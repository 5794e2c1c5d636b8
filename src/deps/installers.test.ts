import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { JobFailure } from "../core/job-failure.ts";
import { DEFAULT_INSTALL, installCommand, parseVersions, planInstall, unpinnedInstallCommand } from "./installers.ts";

const root = tempDir("pushpals-installers-");
afterAll(() => root.cleanup());

let n = 0;
function repo(files: Record<string, string>): string {
  const dir = join(root.path, `r${++n}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function failureOf(fn: () => unknown): JobFailure {
  try {
    fn();
  } catch (err) {
    if (err instanceof JobFailure) return err;
    throw err;
  }
  throw new Error("expected a JobFailure");
}

describe("install command lines", () => {
  test("frozen lockfile, no lifecycle scripts by default", () => {
    expect(installCommand("npm", "11.0.0", false)).toEqual({ command: "npm ci --ignore-scripts --no-audit --no-fund", env: {} });
    expect(installCommand("pnpm", "9.15.0", false).command).toBe("pnpm install --frozen-lockfile --ignore-scripts --ignore-pnpmfile");
    expect(installCommand("bun", "1.2.0", false).command).toBe("bun install --frozen-lockfile --ignore-scripts");
    expect(installCommand("yarn", "1.22.22", false).command).toBe("yarn install --frozen-lockfile --non-interactive --ignore-scripts");
    expect(installCommand("yarn", "4.5.0", false)).toEqual({ command: "yarn install --immutable --mode=skip-build", env: { YARN_ENABLE_GLOBAL_CACHE: "false", YARN_ENABLE_SCRIPTS: "false" } });
  });

  test("allow_scripts drops only the script switches", () => {
    expect(installCommand("npm", "11.0.0", true).command).toBe("npm ci --no-audit --no-fund");
    expect(installCommand("pnpm", "9.15.0", true).command).toBe("pnpm install --frozen-lockfile");
    expect(installCommand("bun", "1.2.0", true).command).toBe("bun install --frozen-lockfile");
    expect(installCommand("yarn", "1.22.22", true).command).toBe("yarn install --frozen-lockfile --non-interactive");
    expect(installCommand("yarn", "3.8.1", true)).toEqual({ command: "yarn install --immutable", env: { YARN_ENABLE_GLOBAL_CACHE: "false" } });
  });

  test("without a lockfile by design: an install that resolves versions and writes no lockfile, scripts still off", () => {
    expect(unpinnedInstallCommand("npm", "11.0.0", false)).toEqual({ command: "npm install --no-package-lock --ignore-scripts --no-audit --no-fund", env: {} });
    expect(unpinnedInstallCommand("pnpm", "9.15.0", false)!.command).toBe("pnpm install --no-frozen-lockfile --no-lockfile --ignore-scripts --ignore-pnpmfile");
    expect(unpinnedInstallCommand("yarn", "1.22.22", false)!.command).toBe("yarn install --no-lockfile --non-interactive --ignore-scripts");
    expect(unpinnedInstallCommand("bun", "1.2.0", false)!.command).toBe("bun install --no-save --ignore-scripts");
    expect(unpinnedInstallCommand("npm", "11.0.0", true)!.command).toBe("npm install --no-package-lock --no-audit --no-fund");
    // Yarn 2+ always writes a lockfile: there is no such install.
    expect(unpinnedInstallCommand("yarn", "4.5.0", false)).toBeNull();
  });

  test("versions: the package manager's, then Node's; noise is ignored", () => {
    expect(parseVersions(["11.19.1", "v20.20.2"])).toEqual({ pmVersion: "11.19.1", nodeVersion: "v20.20.2" });
    expect(parseVersions(["warning: something", "4.5.0", "none"])).toEqual({ pmVersion: "4.5.0", nodeVersion: "none" });
    expect(parseVersions(["command not found"])).toBeNull();
  });
});

describe("planning", () => {
  test("no package.json, or package_manager none: nothing to prepare", () => {
    expect(planInstall(repo({ "go.mod": "module x\n" }), DEFAULT_INSTALL)).toEqual({ skip: "no package.json" });
    const withPkg = repo({ "package.json": "{}", "package-lock.json": "{}" });
    expect(planInstall(withPkg, { ...DEFAULT_INSTALL, packageManager: "none" })).toEqual({ skip: 'install.package_manager is "none"' });
  });

  test("auto follows the lockfile and the packageManager field", () => {
    expect(planInstall(repo({ "package.json": "{}", "package-lock.json": "{}" }), DEFAULT_INSTALL)).toEqual({ plan: { packageManager: "npm", lockfile: "package-lock.json" } });
    expect(planInstall(repo({ "package.json": "{}", "pnpm-lock.yaml": "" }), DEFAULT_INSTALL)).toEqual({ plan: { packageManager: "pnpm", lockfile: "pnpm-lock.yaml" } });
    expect(planInstall(repo({ "package.json": "{}", "bun.lockb": "" }), DEFAULT_INSTALL)).toEqual({ plan: { packageManager: "bun", lockfile: "bun.lockb" } });
    const field = repo({ "package.json": JSON.stringify({ packageManager: "yarn@4.5.0" }), "yarn.lock": "" });
    expect(planInstall(field, DEFAULT_INSTALL)).toEqual({ plan: { packageManager: "yarn", lockfile: "yarn.lock" } });
  });

  test("a package.json without a lockfile is invalid_input with the exact fix", () => {
    const failure = failureOf(() => planInstall(repo({ "package.json": "{}" }), DEFAULT_INSTALL));
    expect(failure.failureClass).toBe("invalid_input");
    expect(failure.message).toContain("run npm install and commit package-lock.json");
  });

  test("no lockfile by design (the committed config turns it off): planned without one, saying which setting", () => {
    expect(planInstall(repo({ "package.json": "{}", ".npmrc": "package-lock=false\n" }), DEFAULT_INSTALL)).toEqual({ plan: { packageManager: "npm", lockfile: null, unpinned: "package-lock=false in .npmrc" } });
    const pnpm = repo({ "package.json": JSON.stringify({ packageManager: "pnpm@9.15.0" }), ".npmrc": "lockfile=false\n" });
    expect(planInstall(pnpm, DEFAULT_INSTALL)).toEqual({ plan: { packageManager: "pnpm", lockfile: null, unpinned: "lockfile=false in .npmrc" } });
    // npm's knob is not pnpm's: still refused.
    const mixed = repo({ "package.json": JSON.stringify({ packageManager: "pnpm@9.15.0" }), ".npmrc": "package-lock=false\n" });
    expect(failureOf(() => planInstall(mixed, DEFAULT_INSTALL)).message).toContain("run pnpm install and commit pnpm-lock.yaml");
    // A lockfile that is there is used, whatever the setting.
    expect(planInstall(repo({ "package.json": "{}", "package-lock.json": "{}", ".npmrc": "package-lock=false\n" }), DEFAULT_INSTALL)).toEqual({ plan: { packageManager: "npm", lockfile: "package-lock.json" } });
  });

  test("an explicit package manager needs its own lockfile", () => {
    const failure = failureOf(() => planInstall(repo({ "package.json": "{}", "package-lock.json": "{}" }), { ...DEFAULT_INSTALL, packageManager: "pnpm" }));
    expect(failure.failureClass).toBe("invalid_input");
    expect(failure.message).toContain('install.package_manager is "pnpm"');
    expect(failure.message).toContain("run pnpm install and commit pnpm-lock.yaml");
  });
});
