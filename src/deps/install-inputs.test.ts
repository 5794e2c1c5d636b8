import { afterAll, expect, test } from "bun:test";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { installInputsSha256 } from "./install-inputs.ts";

const root = tempDir("pushpals-install-inputs-");
afterAll(() => root.cleanup());
let n = 0;
function project(files: Record<string, string>): string {
  const dir = join(root.path, `p${++n}`);
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), "{}\n");
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, ".."), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

test("a commit that changes what the package manager loads or applies gets another cache key", () => {
  const base = installInputsSha256(project({ "src/a.ts": "1" }));
  expect(installInputsSha256(project({ "src/a.ts": "2", "README.md": "x" }))).toBe(base);
  const changed = ([
    { ".yarnrc.yml": "yarnPath: .yarn/releases/yarn.cjs\n" },
    { ".yarn/releases/yarn.cjs": "evil()" },
    { ".yarn/plugins/p.cjs": "evil()" },
    { ".pnpmfile.cjs": "module.exports = {}" },
    { "patches/left-pad+1.0.0.patch": "--- a\n+++ b\n" },
    { ".npmrc": "legacy-peer-deps=true\n" },
  ] as Record<string, string>[]).map((files) => installInputsSha256(project(files)));
  expect(new Set([base, ...changed]).size).toBe(changed.length + 1);
  const linked = project({});
  symlinkSync("/etc/passwd", join(linked, ".yarnrc"));
  expect(installInputsSha256(linked)).not.toBe(base);
});
