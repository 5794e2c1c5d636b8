import { createHash } from "node:crypto";
import { lstatSync, readdirSync, realpathSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { JobFailure } from "../core/job-failure.ts";
import { ensurePrivateDir } from "./private-dir.ts";

/**
 * Names that tools look up in every parent directory of where they run: Node's module resolution, the
 * package managers, ESLint's legacy cascade, TypeScript and Babel config, pytest's rootdir and conftest,
 * Go workspaces, Cargo workspaces, EditorConfig, Prettier. One of these above a job's checkout is the
 * user's machine leaking into a check ("works on my machine"). (A home folder's `.npmrc` or `.yarnrc` is
 * the user's config, read from anywhere: not a lookup upwards.)
 */
const LOOKED_UP = /^(?:node_modules|package\.json|pnpm-workspace\.yaml|\.yarnrc\.yml|\.nvmrc|\.node-version|\.tool-versions|\.python-version|rust-toolchain(?:\.toml)?|ruff\.toml|\.ruff\.toml|mypy\.ini|\.flake8|tsconfig(?:\..*)?\.json|jsconfig\.json|\.babelrc(?:\..*)?|babel\.config\..*|\.eslintrc(?:\..*)?|eslint\.config\..*|\.prettierrc(?:\..*)?|prettier\.config\..*|\.editorconfig|pyproject\.toml|setup\.cfg|tox\.ini|pytest\.ini|conftest\.py|go\.mod|go\.work|Cargo\.toml|deno\.jsonc?)$/;

/**
 * With `sandbox.mode = "off"` nothing hides the parents of a job's checkout, so the checkouts leave the
 * repository (under its `.git` every tool would find the user's own `package.json` and `node_modules`
 * one level up) for `$XDG_CACHE_HOME/pushpals/checkouts/<repository>/` (default `~/.cache`), a place only
 * this user can write, whose parents `unsandboxedCheckoutsProblem` checks hold nothing tools look up.
 */
export function unsandboxedCheckoutsDir(gitCommonDir: string, env: Record<string, string | undefined> = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  const cache = xdg && isAbsolute(xdg) ? xdg : join(env.HOME && isAbsolute(env.HOME) ? env.HOME : homedir(), ".cache");
  // One folder per repository however it is reached (a link to it, a bind mount's other path).
  let real = gitCommonDir;
  try {
    real = realpathSync(gitCommonDir);
  } catch {}
  const repo = createHash("sha256").update(real).digest("hex").slice(0, 16);
  return join(cache, "pushpals", "checkouts", repo);
}

/** The paths a job's checkouts are made under in this sandbox mode: the runtime directory's, or with the sandbox off the user's cache. */
export function checkoutPathsFor<T extends { gitCommonDir: string; worktreesDir: string }>(paths: T, mode: string, env: Record<string, string | undefined> = process.env): T {
  return mode === "off" ? { ...paths, worktreesDir: unsandboxedCheckoutsDir(paths.gitCommonDir, env) } : paths;
}

/**
 * Why checkouts under `dir` would not see only their commit, or null: a parent directory holds something
 * tools look up (named, with the fix), or one that another user can write (they could plant one later).
 * Read on each checkout, so a `node_modules` made since is seen.
 */
export function unsandboxedCheckoutsProblem(dir: string): string | null {
  const uid = process.getuid?.();
  // The folder itself too: a job's checkout is one level below it.
  for (let parent = dir; ; parent = dirname(parent)) {
    let stat = lstatSync(parent, { throwIfNoEntry: false });
    if (!stat) {
      if (parent === dirname(parent)) return null;
      continue;
    }
    // A system's own link (Silverblue's /home -> var/home) is root's: its target is what counts.
    if (stat.isSymbolicLink() && stat.uid === 0) stat = statSync(parent);
    const sticky = (stat.mode & 0o1000) !== 0;
    if (stat.isSymbolicLink()) return `${parent} is a symbolic link`;
    if ((stat.uid !== 0 && stat.uid !== uid) || (stat.mode & 0o022) !== 0) {
      return `${parent} can be written by ${stat.uid !== 0 && stat.uid !== uid ? `uid ${stat.uid}` : sticky ? "every user (a sticky shared folder)" : "other users"}, who could put a node_modules or a config there for the checks to find`;
    }
    const found = lookedUpIn(parent);
    if (found.length > 0) return `${join(parent, found[0]!)} is in a parent directory of the job checkouts (${dir}), where tools look it up`;
    if (parent === dirname(parent)) return null;
  }
}

/** The names tools would find in a folder: listed, or where it cannot be listed (mode 0711), probed one by one as the tools do. */
function lookedUpIn(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => LOOKED_UP.test(name));
  } catch {
    return PROBED.filter((name) => lstatSync(join(dir, name), { throwIfNoEntry: false }) !== undefined);
  }
}

const PROBED = ["node_modules", "package.json", "pnpm-workspace.yaml", "tsconfig.json", "jsconfig.json", ".babelrc", "babel.config.js", ".eslintrc", ".eslintrc.js", ".eslintrc.cjs", ".eslintrc.json", ".eslintrc.yml", "eslint.config.js", "eslint.config.mjs", ".prettierrc", ".editorconfig", "pyproject.toml", "setup.cfg", "tox.ini", "pytest.ini", "conftest.py", "go.mod", "go.work", "Cargo.toml", "deno.json"];

/** Makes the checkouts' folder (0700, this user's) and refuses a place whose parents would leak into the checks. */
export function prepareUnsandboxedCheckouts(dir: string): void {
  const problem = unsandboxedCheckoutsProblem(dir);
  if (problem) {
    throw new JobFailure("environment", `with sandbox.mode = "off" nothing hides what is above a job's checkout, and ${problem}; move it away, set XDG_CACHE_HOME to a folder only you can write with nothing of the kind above it, or turn the sandbox on (remove sandbox.mode = "off")`, {
      notRetryable: "the checkouts' parents are not clean",
    });
  }
  ensurePrivateDir(dir);
}
