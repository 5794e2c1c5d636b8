/**
 * For tests and `bench/deps-prepare.ts` only: a tiny npm project that installs without a registry.
 * `tiny-dep` is a folder dependency (`file:./vendor/tiny-dep`, linked by npm) and `tiny-lib` a local
 * tarball (`file:./vendor/tiny-lib-1.0.0.tgz`, unpacked into node_modules as real files, so hard links
 * and read-only cache files are exercised). The lockfile is made by npm itself, offline.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface FixtureOptions {
  /**
   * tiny-dep gets a postinstall script that writes a file of this name (no quotes) into the directory npm
   * ran in (INIT_CWD: the worktree, the one place a sandboxed install can write that the test can see).
   */
  postinstallMarker?: string;
  /** Also add the tarball dependency (binary file: leave it out for repos built from text files). */
  tarball?: boolean;
  /** Extra small files in the tarball package (for benchmarks of a bigger node_modules). */
  tarballFiles?: number;
  /** Skip making package-lock.json. */
  noLockfile?: boolean;
}

/** npm never touches the network and keeps its cache (and logs) in `cacheDir`. */
export function offlineNpmEnv(cacheDir: string): Record<string, string> {
  return { npm_config_offline: "true", npm_config_cache: cacheDir, npm_config_update_notifier: "false", npm_config_audit: "false", npm_config_fund: "false" };
}

/** Writes the fixture into `dir` and returns its files (relative path -> text), lockfile included. */
export function writeNpmFixture(dir: string, npmCache: string, options: FixtureOptions = {}): Record<string, string> {
  const files: Record<string, string> = {};
  const put = (rel: string, text: string) => {
    mkdirSync(join(dir, rel, ".."), { recursive: true });
    writeFileSync(join(dir, rel), text);
    files[rel] = text;
  };
  const scripts = options.postinstallMarker
    ? { postinstall: `node -e "require('fs').writeFileSync(require('path').join(process.env.INIT_CWD, '${options.postinstallMarker}'), 'ran')"` }
    : {};
  put("vendor/tiny-dep/package.json", `${JSON.stringify({ name: "tiny-dep", version: "1.0.0", main: "index.js", scripts }, null, 2)}\n`);
  put("vendor/tiny-dep/index.js", "module.exports = 'tiny';\n");
  const dependencies: Record<string, string> = { "tiny-dep": "file:./vendor/tiny-dep" };
  if (options.tarball) {
    put("pack/tiny-lib/package.json", `${JSON.stringify({ name: "tiny-lib", version: "1.0.0", main: "index.js" })}\n`);
    put("pack/tiny-lib/index.js", "module.exports = 42;\n");
    for (let i = 0; i < (options.tarballFiles ?? 0); i++) put(`pack/tiny-lib/lib/d${i % 50}/f${i}.js`, `module.exports = ${i};\n`);
    npm(dir, npmCache, ["pack", "./pack/tiny-lib", "--pack-destination", "vendor"]);
    rmSync(join(dir, "pack"), { recursive: true, force: true });
    for (const rel of Object.keys(files)) if (rel.startsWith("pack/")) delete files[rel];
    dependencies["tiny-lib"] = "file:./vendor/tiny-lib-1.0.0.tgz";
  }
  put("package.json", `${JSON.stringify({ name: "fixture", version: "1.0.0", private: true, dependencies }, null, 2)}\n`);
  if (options.noLockfile) return files;
  npm(dir, npmCache, ["install", "--package-lock-only", "--ignore-scripts"]);
  files["package-lock.json"] = readFileSync(join(dir, "package-lock.json"), "utf8");
  return files;
}

export function npm(cwd: string, npmCache: string, args: string[]): string {
  const r = Bun.spawnSync(["npm", ...args], { cwd, stdout: "pipe", stderr: "pipe", env: { ...process.env, ...offlineNpmEnv(npmCache) } });
  if (r.exitCode !== 0) throw new Error(`npm ${args.join(" ")} failed in ${cwd} (exit ${r.exitCode}): ${r.stderr.toString()}`);
  return r.stdout.toString();
}
