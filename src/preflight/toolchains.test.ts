import { afterAll, expect, test } from "bun:test";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { checkToolchains, type ToolchainOptions } from "./toolchains.ts";

const dir = tempDir("pushpals-toolchains-");
afterAll(() => dir.cleanup());
const bin = join(dir.path, "bin");
mkdirSync(bin);
writeFileSync(join(bin, "fake-go"), "#!/bin/sh\n", { mode: 0o755 });
writeFileSync(join(dir.path, "gradlew"), "#!/bin/sh\n");
chmodSync(join(dir.path, "gradlew"), 0o644);
writeFileSync(join(dir.path, "package.json"), JSON.stringify({ scripts: { "test:e2e": "playwright test", e2e: "npm run test:e2e", test: "vitest" } }));

const options: ToolchainOptions = { repoRoot: dir.path, path: bin, sandboxed: true };
const check = (name: string, run: string) => ({ name, run });

test("a check whose program is not installed: a warning naming the checks, how to install it, or to remove them", () => {
  expect(checkToolchains([check("probe", "definitely-not-installed-xyz --version")], options)).toEqual([
    {
      code: "PP012",
      level: "warn",
      message: 'definitely-not-installed-xyz is not installed (not on PATH), so the check "probe" cannot run here',
      fix: 'install definitely-not-installed-xyz and make sure it is on PATH; or remove the check "probe" from .pushpals/config.toml',
    },
  ]);
});

test("one finding per missing program, with the known install hint; programs found are fine", () => {
  const findings = checkToolchains([check("vet", "go vet ./..."), check("test", "CGO_ENABLED=0 go test ./..."), check("ok", "fake-go build"), check("rust", "cargo test")], options);
  expect(findings.map((f) => [f.level, f.message])).toEqual([
    ["warn", 'go is not installed (not on PATH), so the checks "vet", "test" cannot run here'],
    ["warn", 'cargo is not installed (not on PATH), so the check "rust" cannot run here'],
  ]);
  expect(findings[0]!.fix).toBe('install Go (https://go.dev/doc/install, or apt-get install golang-go); or remove the checks "vet", "test" from .pushpals/config.toml');
  expect(findings[1]!.fix).toMatch(/^install Rust with rustup/);
});

test("a wrapper in the repository: missing, or not executable", () => {
  const findings = checkToolchains([check("maven", "./mvnw -B test"), check("gradle", "./gradlew test")], options);
  expect(findings.map((f) => f.message)).toEqual(['./mvnw does not exist, so the check "maven" cannot run here', './gradlew is not executable, so the check "gradle" cannot run here']);
  expect(findings[1]!.fix).toMatch(/chmod \+x \.\/gradlew; git update-index --chmod=\+x \.\/gradlew/);
});

test("everything installed: one ok naming the programs; shell builtins need nothing; no checks, no finding", () => {
  expect(checkToolchains([check("a", "fake-go test"), check("b", "true"), check("c", "test -f README.md")], options)).toEqual([{ code: "PP012", level: "ok", message: "the checks' programs are installed: fake-go" }]);
  expect(checkToolchains([], options)).toEqual([]);
});

test("a check that drives a browser, directly or through the scripts it runs, is a warning in the sandbox only", () => {
  const checks = [check("e2e", "npm run e2e"), check("ui", "npx cypress run"), check("unit", "npm test")];
  const findings = checkToolchains(checks, { ...options, path: `${bin}:${process.env.PATH}` });
  expect(findings.map((f) => f.message)).toEqual([
    'the check "e2e" drives a browser (playwright); in the sandbox HOME is empty, so browsers installed under ~/.cache are not found',
    'the check "ui" drives a browser (cypress); in the sandbox HOME is empty, so browsers installed under ~/.cache are not found',
  ]);
  expect(findings[0]!.fix).toMatch(/PLAYWRIGHT_BROWSERS_PATH.*or remove the check "e2e"/);
  expect(checkToolchains(checks, { ...options, path: `${bin}:${process.env.PATH}`, sandboxed: false }).map((f) => f.level)).toEqual(["ok"]);
});

test("a package manager PushPals provides to the jobs itself is no missing program", () => {
  const commands = [{ name: "test", run: "pnpm-not-on-this-machine test" }];
  const options = { repoRoot: "/nonexistent", path: "/nonexistent-bin", sandboxed: false };
  expect(checkToolchains(commands, options).map((f) => f.level)).toEqual(["warn"]);
  expect(checkToolchains(commands, { ...options, provided: ["pnpm-not-on-this-machine"] }).map((f) => f.level)).toEqual(["ok"]);
});
