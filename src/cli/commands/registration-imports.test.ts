import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Issue #14: `pushpals --version` must not load every command's implementation. A registration module
 * (src/cli/commands/<name>.ts) names, describes and parses; its action loads `./<name>-action.ts` with
 * `await import`. Its static imports are limited to these light modules (type-only imports are erased).
 */
const ALLOWED = new Set(["commander", "../parse.ts", "../lazy-help.ts", "../../roles/agent-roles.ts"]);

const dir = import.meta.dir;
const registrations = readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.endsWith("-action.ts"));

test("every registration module statically imports only light modules, and loads its action lazily", () => {
  expect(registrations.length).toBeGreaterThanOrEqual(17);
  const bad: string[] = [];
  for (const file of registrations) {
    const text = readFileSync(join(dir, file), "utf8");
    for (const m of text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+"([^"]+)";/gms)) {
      if (m[1]) continue;
      if (!ALLOWED.has(m[2]!)) bad.push(`${file}: ${m[2]}`);
    }
    for (const m of text.matchAll(/^import\s+"([^"]+)";/gm)) bad.push(`${file}: ${m[1]}`);
    expect(text).toContain(`await import("./${file.replace(/\.ts$/, "")}-action.ts")`);
  }
  expect(bad).toEqual([]);
});

test("loading every registration module loads no action module and nothing heavy", async () => {
  const code = `${registrations.map((f) => `await import(${JSON.stringify(join(dir, f))});`).join("")}
    const loaded = Object.keys(require.cache).filter((p) => p.includes("/src/"));
    process.stdout.write(JSON.stringify(loaded));`;
  const proc = Bun.spawnSync([process.execPath, "--eval", code], { stdout: "pipe", stderr: "inherit" });
  expect(proc.exitCode).toBe(0);
  const loaded: string[] = JSON.parse(proc.stdout.toString());
  const outside = loaded.filter((p) => !/\/src\/(cli\/(commands\/[a-z-]+\.ts|parse\.ts|lazy-help\.ts)|roles\/agent-roles\.ts)$/.test(p) || p.endsWith("-action.ts"));
  expect(outside).toEqual([]);
});
