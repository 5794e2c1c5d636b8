import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export type PackageManager = "npm" | "pnpm" | "yarn" | "bun";

export interface Detected {
  packageManager: PackageManager | null;
  /** Why that package manager: the lockfile, the `packageManager` field, or the fallback; null for non-JS repos. */
  packageManagerSource: string | null;
  /** The lockfile the package manager will install from, relative to the repo root; null when missing. */
  lockfile: string | null;
  checks: { name: string; run: string }[];
  /** What init noticed and chose not to do, shown to the user. */
  notes: string[];
}

const LOCKFILES: [string, PackageManager][] = [
  ["pnpm-lock.yaml", "pnpm"],
  ["yarn.lock", "yarn"],
  ["bun.lock", "bun"],
  ["bun.lockb", "bun"],
  ["package-lock.json", "npm"],
  ["npm-shrinkwrap.json", "npm"],
];

const CHECK_SCRIPTS = ["typecheck", "lint", "test", "build"] as const;
// A plain `format` script usually rewrites files; only a checking variant is a check.
const FORMAT_CHECK_SCRIPTS = ["format:check", "fmt:check", "check-format", "check:format", "prettier:check"];
const NO_CHECKS_NOTE = "no test command detected: add [[checks.commands]] entries (name and run) to .pushpals/config.toml";

/** Looks at the repository root and proposes a package manager and check commands; reads files only. */
export function detectProject(root: string): Detected {
  const notes: string[] = [];
  const pkgPath = join(root, "package.json");
  if (!existsSync(pkgPath)) return detectNonJs(root, notes);

  const pkg = readPackageJson(pkgPath, notes);
  const scripts = isRecord(pkg.scripts) ? pkg.scripts : {};
  const field = typeof pkg.packageManager === "string" ? pkg.packageManager : "";
  const fromField = /^(npm|pnpm|yarn|bun)(@|$)/.exec(field)?.[1] as PackageManager | undefined;
  const present = LOCKFILES.filter(([file]) => existsSync(join(root, file)));
  const lock = present.find(([, pm]) => !fromField || pm === fromField);
  const packageManager = fromField ?? lock?.[1] ?? "npm";
  const source = fromField ? `packageManager "${field}" in package.json` : (lock?.[0] ?? "no lockfile found, defaulting to npm");

  if (fromField && !lock && present.length > 0) {
    notes.push(`package.json says ${fromField} but the lockfile is ${present.map(([f]) => f).join(", ")}: run \`${fromField} install\` and commit its lockfile, or fix the packageManager field`);
  } else if (!lock) {
    notes.push(`no lockfile for ${packageManager}: run \`${packageManager} install\` and commit the lockfile so jobs install exactly what you tested`);
  }
  const others = [...new Set(present.map(([, pm]) => pm).filter((pm) => pm !== packageManager))];
  if (lock && others.length > 0) notes.push(`lockfiles of other package managers (${others.join(", ")}) are present too: delete them so every install uses ${lock[0]}`);

  const checks: Detected["checks"] = [];
  for (const name of CHECK_SCRIPTS) {
    const script = scripts[name];
    if (typeof script !== "string") continue;
    if (name === "test" && /no test specified/.test(script)) {
      notes.push('the "test" script is npm\'s placeholder ("no test specified"), so it is not a check');
      continue;
    }
    checks.push({ name, run: runScript(packageManager, name) });
  }
  const format = FORMAT_CHECK_SCRIPTS.find((s) => typeof scripts[s] === "string");
  if (format) checks.push({ name: "format", run: runScript(packageManager, format) });
  else if (typeof scripts.format === "string") notes.push('the "format" script rewrites files, so it is not a check; add a "format:check" script to check formatting');
  if (checks.length === 0) notes.push(NO_CHECKS_NOTE);
  return { packageManager, packageManagerSource: source, lockfile: lock?.[0] ?? null, checks, notes };
}

/**
 * `npm test`, `pnpm test` and `yarn test` run the "test" script; `bun test` runs Bun's own test runner
 * instead, so Bun always gets `bun run <script>`.
 */
function runScript(pm: PackageManager, script: string): string {
  if (script === "test" && pm !== "bun") return `${pm} test`;
  return `${pm} run ${script}`;
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
