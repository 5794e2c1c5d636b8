import { resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");

/**
 * The npm packages a fresh Bun process has loaded after running `script` (an ES module body, run from
 * the repository root): what importing a module really costs, dynamic imports not yet taken included.
 */
export function loadedPackages(script: string): string[] {
  const report = "console.log(JSON.stringify(Object.keys(require.cache)));";
  const r = Bun.spawnSync([process.execPath, "-e", `${script}\n${report}`], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`the script failed (${r.exitCode}): ${r.stderr.toString()}`);
  const lines = r.stdout.toString().trim().split("\n");
  const paths = JSON.parse(lines[lines.length - 1] ?? "[]") as string[];
  const names = paths.flatMap((p) => {
    const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(p);
    return match ? [match[1]!] : [];
  });
  return [...new Set(names)].sort();
}
