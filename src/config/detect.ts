import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export type PackageManager = "npm" | "pnpm" | "yarn" | "bun";

export interface Detected {
  packageManager: PackageManager | null;
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

/** Looks at the repository root and proposes a package manager and check commands; reads files only. */
export function detectProject(root: string): Detected {
  const notes: string[] = [];
  const pkgPath = join(root, "package.json");
  if (!existsSync(pkgPath)) return detectNonJs(root, notes);

  let pkg: { scripts?: Record<string, string>; packageManager?: string } = {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(pkgPath, "utf8"));
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) pkg = parsed;
    else notes.push("package.json is not a JSON object; no checks detected from it");
  } catch {
    notes.push("package.json is not valid JSON; no checks detected from it");
  }
  const scripts = pkg.scripts && typeof pkg.scripts === "object" ? pkg.scripts : {};
  const fromField = /^(npm|pnpm|yarn|bun)@/.exec(typeof pkg.packageManager === "string" ? pkg.packageManager : "")?.[1] as PackageManager | undefined;
  const lock = LOCKFILES.find(([file, pm]) => existsSync(join(root, file)) && (!fromField || pm === fromField));
  const packageManager = fromField ?? lock?.[1] ?? "npm";
  if (!lock) notes.push(`no lockfile for ${packageManager}: run \`${packageManager} install\` and commit the lockfile so jobs install exactly what you tested`);

  const checks: Detected["checks"] = [];
  for (const name of CHECK_SCRIPTS) {
    if (typeof scripts[name] === "string" && !/no test specified/.test(scripts[name]!)) checks.push({ name, run: runScript(packageManager, name) });
  }
  const format = FORMAT_CHECK_SCRIPTS.find((s) => scripts[s]);
  if (format) checks.push({ name: "format", run: runScript(packageManager, format) });
  else if (scripts.format) notes.push('the "format" script rewrites files, so it is not a check; add a "format:check" script to check formatting');
  return { packageManager, lockfile: lock?.[0] ?? null, checks, notes };
}

function runScript(pm: PackageManager, script: string): string {
  if (script === "test") return pm === "npm" ? "npm test" : `${pm} test`;
  return `${pm} run ${script}`;
}

function detectNonJs(root: string, notes: string[]): Detected {
  const checks: Detected["checks"] = [];
  if (existsSync(join(root, "Cargo.toml"))) checks.push({ name: "test", run: "cargo test" });
  else if (existsSync(join(root, "go.mod"))) checks.push({ name: "test", run: "go test ./..." });
  else if (existsSync(join(root, "pyproject.toml")) || existsSync(join(root, "pytest.ini"))) checks.push({ name: "test", run: "python3 -m pytest" });
  else if (existsSync(join(root, "Makefile")) && /^test:/m.test(readFileSync(join(root, "Makefile"), "utf8"))) checks.push({ name: "test", run: "make test" });
  if (checks.length === 0) notes.push("no test command detected: add [[checks.commands]] to .pushpals/config.toml");
  return { packageManager: null, lockfile: null, checks, notes };
}
