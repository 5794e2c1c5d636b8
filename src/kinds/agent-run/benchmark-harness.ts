import type { BenchmarkCommand } from "../../config/benchmark-settings.ts";
import type { PrProposal } from "../../prs/pr-types.ts";
import { git } from "../../scm/git.ts";
import { isBenchmarkPath } from "./test-files.ts";

/** Task runners a benchmark's command may start, and the files that say what they run. */
const RUNNER_FILES: Record<string, RegExp> = {
  make: /^(?:GNUmakefile|makefile|Makefile|.*\.mk)$/,
  gmake: /^(?:GNUmakefile|makefile|Makefile|.*\.mk)$/,
  just: /^(?:\.?[jJ]ustfile)$/,
  task: /^[tT]askfile(?:\.dist)?\.ya?ml$/,
  rake: /^(?:[rR]akefile(?:\.rb)?|.*\.rake)$/,
  nox: /^noxfile\.py$/,
  tox: /^(?:tox\.ini|pyproject\.toml)$/,
  poe: /^pyproject\.toml$/,
  deno: /^deno\.jsonc?$/,
};
const MAX_FILE = 256 * 1024;
const MAX_SCRIPTS = 200;

/**
 * What the change may not edit in performance mode, since it decides what is measured: the benchmark files
 * (isBenchmarkPath); every repository path a benchmark's `run` names (a harness in `scripts/`, a module
 * run with `-m`), and those named by the package scripts it runs, transitively; those scripts themselves
 * (a changed body in any changed package.json); and the task-runner files of a runner it starts (a
 * Makefile for `make bench`), with the paths they name. All read at the base, so nothing the change wrote
 * decides what is checked. Returns each offending path, with why where the path alone does not say.
 */
export async function measurementEdits(repoRoot: string, proposal: PrProposal, baseCommit: string, commands: readonly BenchmarkCommand[]): Promise<string[]> {
  const changed = [...new Set(proposal.files.flatMap((f) => [f.path, f.oldPath ?? f.path]))];
  const offending = new Set(changed.filter(isBenchmarkPath));
  const rootScripts = scriptsOf(await readAt(repoRoot, baseCommit, "package.json"));
  const texts = commands.map((c) => c.run);
  const named = namedScripts(texts, rootScripts ?? {});
  texts.push(...[...named].map((name) => rootScripts?.[name] ?? ""));
  const runners = new Set(texts.flatMap(commandWords));
  const runnerFile = (path: string) => Object.entries(RUNNER_FILES).some(([runner, file]) => runners.has(runner) && file.test(basename(path)));
  for (const path of changed.filter(runnerFile)) offending.add(path);
  // What a started runner's own file runs (a Makefile recipe's script) is the harness too.
  for (const path of await rootFiles(repoRoot, baseCommit)) if (runnerFile(path)) texts.push((await readAt(repoRoot, baseCommit, path)) ?? "");
  const tokens = texts.flatMap(pathTokens);
  for (const path of changed) if (tokens.some((t) => namesPath(t, path))) offending.add(path);
  for (const file of proposal.files) {
    if (basename(file.path) !== "package.json") continue;
    const before = (file.status === "added" ? {} : scriptsOf(await readAt(repoRoot, baseCommit, file.oldPath ?? file.path))) ?? {};
    const after = (file.status === "deleted" ? {} : scriptsOf(await readAt(repoRoot, proposal.headSha, file.path))) ?? {};
    const watched = new Set([...namedScripts(texts, before), ...namedScripts(texts, after)]);
    if ([...watched].some((name) => before[name] !== after[name])) offending.add(`${file.path} (the scripts a benchmark runs)`);
  }
  return [...offending];
}

/** The package scripts a command names (a word equal to a script's name), with their pre/post hooks, transitively. */
export function namedScripts(texts: readonly string[], scripts: Record<string, string>): Set<string> {
  const named = new Set<string>();
  const queue = texts.flatMap(words);
  while (queue.length > 0 && named.size < MAX_SCRIPTS) {
    const word = queue.shift()!;
    for (const name of [word, `pre${word}`, `post${word}`]) {
      if (named.has(name) || !Object.hasOwn(scripts, name)) continue;
      named.add(name);
      queue.push(...words(scripts[name]!));
    }
  }
  return named;
}

/** The words of a shell command line, split on blanks, quotes and operators (no expansion: a rough, safe over-read). */
function words(text: string): string[] {
  return text.split(/[\s"'`;&|()<>=]+/).filter((w) => w.length > 0 && w.length <= 512);
}

/** The first word of each command in a line: the program each part starts. */
function commandWords(text: string): string[] {
  return text
    .split(/&&|\|\||[;|&\n()]/)
    .map((part) => part.trim().split(/\s+/).find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) ?? "")
    .map((w) => basename(w.replace(/^["']|["']$/g, "")))
    .filter((w) => w.length > 0);
}

/**
 * Repository paths a command line may name: any word that is not a flag, normalised (`./x` → `x`), a
 * module after `-m` as a path (`perf.suite` → `perf/suite`). Absolute paths and `..` leave the repository,
 * which the change cannot edit.
 */
export function pathTokens(text: string): string[] {
  const all = words(text);
  const tokens: string[] = [];
  all.forEach((word, i) => {
    if (word.startsWith("-") || word.startsWith("/") || word.includes("$") || word.includes("://")) return;
    const path = word.replace(/^(?:\.\/)+/, "").replace(/\/+$/, "");
    if (path.length === 0 || path === "." || path.split("/").includes("..")) return;
    tokens.push(path);
    if (all[i - 1] === "-m" && /^[A-Za-z_][\w.]*$/.test(path)) tokens.push(path.replaceAll(".", "/"));
  });
  return tokens;
}

/** Whether a word names this path: the path itself, a folder holding it, or the path without its extension. */
export function namesPath(token: string, path: string): boolean {
  if (path === token || path.startsWith(`${token}/`)) return true;
  const dot = path.lastIndexOf(".");
  return dot > path.lastIndexOf("/") + 1 && path.slice(0, dot) === token;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

async function rootFiles(repoRoot: string, commit: string): Promise<string[]> {
  const r = await git(["ls-tree", "--name-only", commit], { cwd: repoRoot, allowFailure: true });
  return r.exitCode === 0 ? r.stdout.split("\n").filter(Boolean) : [];
}

/** A committed file's text at a commit, or null (absent, binary or too big to be a harness to read). */
async function readAt(repoRoot: string, commit: string, path: string): Promise<string | null> {
  const size = await git(["cat-file", "-s", `${commit}:${path}`], { cwd: repoRoot, allowFailure: true });
  if (size.exitCode !== 0 || Number(size.stdout.trim()) > MAX_FILE) return null;
  const r = await git(["cat-file", "blob", `${commit}:${path}`], { cwd: repoRoot, allowFailure: true });
  return r.exitCode === 0 && !r.stdout.includes("\u0000") ? r.stdout : null;
}

/** A manifest's scripts (strings only), or null when it is not a JSON object. */
function scriptsOf(text: string | null): Record<string, string> | null {
  if (text === null) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return null;
    const scripts = (parsed as { scripts?: unknown }).scripts;
    if (typeof scripts !== "object" || scripts === null || Array.isArray(scripts)) return {};
    return Object.fromEntries(Object.entries(scripts).filter((e): e is [string, string] => typeof e[1] === "string"));
  } catch {
    return null;
  }
}
