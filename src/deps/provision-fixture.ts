/**
 * For tests only: a stand-in pnpm release (a small Node.js CLI: `--version`, a frozen install of a project
 * without dependencies, `test`/`run`), and npm-style tarballs made with the system's tar.
 */
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export const FAKE_PNPM_CLI = `#!/usr/bin/env node
// A stand-in for pnpm in PushPals' tests.
const fs = require("fs");
const { execSync } = require("child_process");
const version = require("../package.json").version;
const [command, ...rest] = process.argv.slice(2);
if (command === "--version" || command === "-v") {
  console.log(version);
} else if (command === "install") {
  if (!rest.includes("--frozen-lockfile")) fail("fake pnpm installs frozen lockfiles only");
  if (!fs.existsSync("pnpm-lock.yaml")) fail("ERR_PNPM_NO_LOCKFILE Cannot install with frozen-lockfile because pnpm-lock.yaml is absent");
  fs.mkdirSync("node_modules", { recursive: true });
  fs.writeFileSync("node_modules/.modules.yaml", "layoutVersion: 5\\npackageManager: pnpm@" + version + "\\n");
  console.log("fake pnpm " + version + ": lockfile is up to date, installed");
} else if (command === "test" || command === "run") {
  const script = command === "test" ? "test" : rest[0];
  const body = (JSON.parse(fs.readFileSync("package.json", "utf8")).scripts || {})[script];
  if (!body) fail("ERR_PNPM_NO_SCRIPT Missing script: " + script);
  execSync(body, { stdio: "inherit" });
} else {
  fail("fake pnpm: unknown command " + command);
}
function fail(message) {
  console.error(message);
  process.exit(1);
}
`;

/** The files of the fake release, as its npm package holds them (package.json with its `bin`). */
export function fakePnpmPackage(version: string, name = "pnpm"): Record<string, string> {
  const manifest = { name, version, license: "MIT", bin: { pnpm: "bin/pnpm.cjs", pnpx: "bin/pnpx.cjs" } };
  return { "package.json": `${JSON.stringify(manifest, null, 2)}\n`, "bin/pnpm.cjs": FAKE_PNPM_CLI, "bin/pnpx.cjs": "#!/usr/bin/env node\nprocess.exit(1);\n" };
}

/** A gzipped tarball of `files` under `package/`, the way npm packs them (pax headers for long names). */
export function packTarball(files: Record<string, string>, executable: string[] = ["bin/pnpm.cjs"]): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "pushpals-tarball-"));
  try {
    for (const [rel, text] of Object.entries(files)) {
      const path = join(dir, "package", rel);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
      chmodSync(path, executable.includes(rel) ? 0o755 : 0o644);
    }
    const out = join(dir, "out.tgz");
    const r = Bun.spawnSync(["tar", "--format=pax", "--owner=0", "--group=0", "-czf", out, "-C", dir, "package"], { stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`tar failed: ${r.stderr.toString()}`);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What a registry says of a tarball: its `dist.integrity`. */
export function integrityOf(bytes: Uint8Array): string {
  return `sha512-${createHash("sha512").update(bytes).digest("base64")}`;
}
