import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { detectEcosystem } from "../ecosystems/detect.ts";
import { PACKAGE_JSON } from "../ecosystems/common/package-json.ts";
import type { EcosystemId } from "../ecosystems/registry.ts";

export interface Detected {
  packageManager: EcosystemId | null;
  /** Why that package manager: the lockfile, the `packageManager` field, or the fallback; null for non-JS repos. */
  packageManagerSource: string | null;
  /** The lockfile the package manager will install from, relative to the repo root; null when missing. */
  lockfile: string | null;
  checks: { name: string; run: string }[];
  /** What init noticed and chose not to do, shown to the user. */
  notes: string[];
}

const CHECK_SCRIPTS = ["typecheck", "lint", "test", "build"] as const;
// A plain `format` script usually rewrites files; only a checking variant is a check.
const FORMAT_CHECK_SCRIPTS = ["format:check", "fmt:check", "check-format", "check:format", "prettier:check"];
const NO_CHECKS_NOTE = "no test command detected: add [[checks.commands]] entries (name and run) to .pushpals/config.toml";

/** Looks at the repository root and proposes a package manager and check commands; reads files only. */
export function detectProject(root: string): Detected {
  const notes: string[] = [];
  const pkgPath = join(root, PACKAGE_JSON);
  if (!existsSync(pkgPath)) return detectNonJs(root, notes);

  const pkg = readPackageJson(pkgPath, notes);
  const scripts = isRecord(pkg.scripts) ? pkg.scripts : {};
  const field = typeof pkg.packageManager === "string" ? pkg.packageManager : "";
  const { ecosystem, named, lockfile, present } = detectEcosystem(root, field);
  const packageManager = ecosystem.id;
  const source = named ? `packageManager "${field}" in package.json` : (lockfile ?? `no lockfile found, defaulting to ${packageManager}`);

  if (named && !lockfile && present.length > 0) {
    notes.push(`package.json says ${named.id} but the lockfile is ${present.map((l) => l.file).join(", ")}: run \`${named.id} install\` and commit its lockfile, or fix the packageManager field`);
  } else if (!lockfile) {
    notes.push(`no lockfile for ${packageManager}: run \`${packageManager} install\` and commit the lockfile so jobs install exactly what you tested`);
  }
  const others = [...new Set(present.map((l) => l.ecosystem.id).filter((pm) => pm !== packageManager))];
  if (lockfile && others.length > 0) notes.push(`lockfiles of other package managers (${others.join(", ")}) are present too: delete them so every install uses ${lockfile}`);

  const checks: Detected["checks"] = [];
  for (const name of CHECK_SCRIPTS) {
    const script = scripts[name];
    if (typeof script !== "string") continue;
    if (name === "test" && /no test specified/.test(script)) {
      notes.push('the "test" script is npm\'s placeholder ("no test specified"), so it is not a check');
      continue;
    }
    checks.push({ name, run: ecosystem.runScript(name) });
  }
  const format = FORMAT_CHECK_SCRIPTS.find((s) => typeof scripts[s] === "string");
  if (format) checks.push({ name: "format", run: ecosystem.runScript(format) });
  else if (typeof scripts.format === "string") notes.push('the "format" script rewrites files, so it is not a check; add a "format:check" script to check formatting');
  if (checks.length === 0) notes.push(NO_CHECKS_NOTE);
  return { packageManager, packageManagerSource: source, lockfile: lockfile ?? null, checks, notes };
}

function readPackageJson(path: string, notes: string[]): { scripts?: unknown; packageManager?: unknown } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    notes.push("package.json is not valid JSON; no checks detected from it");
    return {};
  }
  if (isRecord(parsed)) return parsed;
  notes.push("package.json is not a JSON object; no checks detected from it");
  return {};
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function detectNonJs(root: string, notes: string[]): Detected {
  const checks: Detected["checks"] = [];
  if (existsSync(join(root, "Cargo.toml"))) checks.push({ name: "test", run: "cargo test" });
  else if (existsSync(join(root, "go.mod"))) checks.push({ name: "test", run: "go test ./..." });
  else if (usesPytest(root)) checks.push({ name: "test", run: "python3 -m pytest" });
  else if (makefileHasTest(root)) checks.push({ name: "test", run: "make test" });
  if (checks.length === 0) notes.push(NO_CHECKS_NOTE);
  return { packageManager: null, packageManagerSource: null, lockfile: null, checks, notes };
}

function usesPytest(root: string): boolean {
  if (existsSync(join(root, "pytest.ini")) || existsSync(join(root, "conftest.py"))) return true;
  const mentions = ["pyproject.toml", "setup.cfg", "tox.ini", "setup.py", "requirements.txt", "requirements-dev.txt", "requirements-test.txt"];
  return mentions.some((file) => /\bpytest\b/.test(readIfExists(join(root, file))));
}

/** A `test:` rule (possibly among other targets) in the Makefile make would read; `test := x` is a variable. */
function makefileHasTest(root: string): boolean {
  const file = ["GNUmakefile", "makefile", "Makefile"].find((name) => existsSync(join(root, name)));
  if (!file) return false;
  return /^(?:[^\s:#=]+[ \t]+)*test(?:[ \t]+[^\s:#=]+)*[ \t]*::?(?!=)/m.test(readIfExists(join(root, file)));
}

function readIfExists(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}
