import { posix } from "node:path";
import type { BenchmarkCommand } from "../../config/benchmark-settings.ts";
import { PackageScripts } from "../../config/package-scripts.ts";
import type { PrProposal } from "../../prs/pr-types.ts";
import { git } from "../../scm/git.ts";
import { isMeasuredCode } from "./measured-code.ts";
import { isBenchmarkPath, isTestSuitePath } from "./test-files.ts";

const MAX_FILES = 200;
const MAX_FILE = 256 * 1024;
/** What the gate reads at the base in all (runner files, shell scripts, manifests): a hostile tree cannot make it slow. */
const MAX_READ = 4 * 1024 * 1024;
const MAX_SCRIPTS = 200;
const MAX_DEPTH = 3;
/** Shell scripts and runner files followed, and the distinct words checked as paths: past either, every code change is refused. */
const MAX_FOLLOWED = 50;
const MAX_TOKENS = 5_000;
/** Words of commands and scripts looked at for script names. */
const MAX_WORDS = 20_000;

export interface MeasurementEdit {
  path: string;
  why: string;
}

/**
 * What a performance change may not edit, since it decides what is measured, all judged at the base (nothing
 * the change wrote decides what is checked):
 * - anything that is not code (measured-code.ts): manifests, lockfiles, config of package managers, runtimes
 *   and builds, scripts of the shell and task runners, dotfiles, data;
 * - the test suite and the benchmark files;
 * - code a benchmark's command names: through its `run`, the package scripts it runs (hooks, run-all patterns,
 *   the scripts they run in turn; a workspace's, relative to its package), the task-runner files of a runner
 *   it starts and the shell scripts it names, followed a few levels; a `-m` module and its packages' `__init__`.
 * A change of more than MAX_FILES files is refused whole: a performance change is small.
 */
export async function measurementEdits(repoRoot: string, proposal: PrProposal, baseCommit: string, commands: readonly BenchmarkCommand[]): Promise<MeasurementEdit[]> {
  const changed = [...new Set(proposal.files.flatMap((f) => [f.path, f.oldPath ?? f.path]))];
  if (changed.length > MAX_FILES) return [{ path: `${changed.length} files`, why: `more than the ${MAX_FILES} a performance change is checked on (split it)` }];
  const refused = new Map<string, string>();
  for (const path of changed) {
    if (isBenchmarkPath(path)) refused.set(path, "a benchmark file");
    else if (isTestSuitePath(path)) refused.set(path, "part of the test suite");
    else if (!isMeasuredCode(path)) refused.set(path, "not code: it can change how the benchmark runs");
  }
  const code = changed.filter((path) => !refused.has(path));
  if (code.length === 0) return [...refused].map(([path, why]) => ({ path, why }));
  const reader = baseReader(repoRoot, baseCommit);
  const named = await namedByCommands(reader, commands.map((c) => c.run));
  if (named.length > MAX_TOKENS) return [...code.map((path) => ({ path, why: `the benchmark's commands name more than ${MAX_TOKENS} words, too many to check what they run` })), ...[...refused].map(([path, why]) => ({ path, why }))];
  for (const path of code) if (named.some((t) => namesPath(t, path))) refused.set(path, "named by a benchmark's command");
  // A workspace's scripts name paths relative to its own package.
  for (const dir of await packageDirs(reader, code)) {
    const scripts = scriptsOf(await reader.read(`${dir}/package.json`)) ?? {};
    const texts = [...namedScripts(commands.map((c) => c.run), scripts)].map((name) => scripts[name]!);
    const tokens = texts.flatMap((text) => pathTokens(text)).map((t) => `${dir}/${t}`);
    for (const path of code) if (path.startsWith(`${dir}/`) && tokens.some((t) => namesPath(t, path))) refused.set(path, "named by a script a benchmark runs");
  }
  return [...refused].map(([path, why]) => ({ path, why }));
}

/** The paths the commands name, with the root package scripts they run and the runner files and shell scripts they start, followed MAX_DEPTH levels. */
async function namedByCommands(reader: BaseReader, runs: string[]): Promise<string[]> {
  const rootFiles = await reader.rootFiles();
  const scripts = scriptsOf(await reader.read("package.json")) ?? {};
  const texts = [...runs];
  for (const name of namedScripts(runs, scripts)) texts.push(scripts[name]!);
  const tokens = new Set<string>();
  const followed = new Set<string>();
  let frontier = texts;
  for (let depth = 0; depth <= MAX_DEPTH && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const token of frontier.flatMap((text) => pathTokens(text, { globs: depth === 0 }))) tokens.add(token);
    const started = new Set(frontier.flatMap(words).map((w) => posix.basename(w)));
    const scripts = [...tokens].filter((t) => isShellScript(t) && !followed.has(t)).slice(0, MAX_FOLLOWED);
    const runnerFiles = rootFiles.filter((f) => runnerStarted(f, started) && !followed.has(f));
    for (const path of [...runnerFiles, ...(await reader.files(scripts))]) {
      if (followed.has(path) || followed.size >= MAX_FOLLOWED) continue;
      followed.add(path);
      const text = await reader.read(path);
      if (text === null) continue;
      // What `make` runs is the recipes of the targets asked for (and what they need), not every word of the Makefile.
      next.push(RUNNER_FILES.make!.test(path) ? await makeRecipes(reader, text, makeTargets(frontier)) : text);
    }
    frontier = next;
  }
  return [...tokens];
}

/** Task runners a command may start (as any word: `time make bench`, `sh -c 'just bench'`), and the files that say what they run. */
const RUNNER_FILES: Record<string, RegExp> = {
  make: /^(?:GNUmakefile|makefile|Makefile|.*\.mk)$/,
  gmake: /^(?:GNUmakefile|makefile|Makefile|.*\.mk)$/,
  just: /^\.?[jJ]ustfile$/,
  task: /^[tT]askfile(?:\.dist)?\.ya?ml$/,
  rake: /^(?:[rR]akefile(?:\.rb)?|.*\.rake)$/,
  nox: /^noxfile\.py$/,
  tox: /^(?:tox\.ini|pyproject\.toml)$/,
  deno: /^deno\.jsonc?$/,
};

/** The targets commands ask `make` for (none: its default goal). */
function makeTargets(texts: string[]): string[] {
  const targets: string[] = [];
  for (const text of texts) {
    for (const part of text.split(/&&|\|\||[;|&\n()]/)) {
      const all = part.trim().split(/\s+/).map((w) => w.replace(/^["']|["']$/g, ""));
      const at = all.findIndex((w) => posix.basename(w) === "make" || posix.basename(w) === "gmake");
      if (at < 0) continue;
      for (let i = at + 1; i < all.length; i++) {
        const word = all[i]!;
        if (/^-[CfIjloW]$/.test(word)) i++;
        else if (!word.startsWith("-") && !word.includes("=") && /^[\w./-]+$/.test(word)) targets.push(word);
      }
    }
  }
  return targets;
}

/**
 * The part of a Makefile that `make <targets>` runs: the recipes of those targets (the first rule's when
 * none is named) and of their prerequisites, transitively, with the assignments of the variables they use,
 * after the files it `include`s (at the base). Globs and other targets' words are not what runs.
 */
async function makeRecipes(reader: BaseReader, makefile: string, targets: string[]): Promise<string> {
  let text = makefile;
  for (const include of [...makefile.matchAll(/^-?include\s+(.+)$/gm)].flatMap((m) => m[1]!.split(/\s+/)).slice(0, MAX_FOLLOWED)) {
    if (!include.includes("$") && !include.split("/").includes("..")) text += `\n${(await reader.read(include.replace(/^\.\//, ""))) ?? ""}`;
  }
  const rules = new Map<string, { prereqs: string[]; recipe: string[] }>();
  const assignments = new Map<string, string>();
  let current: { prereqs: string[]; recipe: string[] }[] = [];
  let first: string | null = null;
  for (const line of text.split("\n")) {
    if (line.startsWith("\t")) {
      for (const rule of current) rule.recipe.push(line);
      continue;
    }
    const assignment = /^\s*(?:export\s+|override\s+)?([A-Za-z_][\w.]*)\s*(?::{1,3}=|\?=|\+=|!=|=)(.*)$/.exec(line);
    if (assignment) {
      assignments.set(assignment[1]!, `${assignments.get(assignment[1]!) ?? ""} ${assignment[2]!}`);
      current = [];
      continue;
    }
    const rule = /^([^\s:#=][^:=#]*?)\s*::?(?!=)\s*([^;#]*)(?:;(.*))?$/.exec(line);
    if (!rule) {
      if (line.trim() !== "" && !line.trimStart().startsWith("#")) current = [];
      continue;
    }
    current = [];
    for (const target of rule[1]!.split(/\s+/).filter(Boolean)) {
      const entry = rules.get(target) ?? { prereqs: [], recipe: [] };
      entry.prereqs.push(...rule[2]!.split(/[\s|]+/).filter(Boolean));
      if (rule[3]) entry.recipe.push(rule[3]);
      rules.set(target, entry);
      current.push(entry);
      if (first === null && !target.startsWith(".")) first = target;
    }
  }
  const queue = targets.length > 0 ? [...targets] : first ? [first] : [];
  const seen = new Set<string>();
  const out: string[] = [];
  for (let i = 0; i < queue.length && seen.size < MAX_SCRIPTS; i++) {
    const target = queue[i]!;
    if (seen.has(target)) continue;
    seen.add(target);
    const rule = rules.get(target);
    if (!rule) continue;
    out.push(...rule.prereqs, ...rule.recipe);
    queue.push(...rule.prereqs);
  }
  const used = new Set([...out.join("\n").matchAll(/\$[({]([A-Za-z_][\w.]*)[)}]/g)].map((m) => m[1]!));
  for (const name of used) if (assignments.has(name)) out.push(assignments.get(name)!);
  return out.join("\n").replace(/\$[({][A-Za-z_][\w.]*[)}]\/?/g, (m) => (m.endsWith("/") ? "" : " "));
}

function runnerStarted(file: string, started: Set<string>): boolean {
  return Object.entries(RUNNER_FILES).some(([runner, pattern]) => started.has(runner) && pattern.test(file));
}

function isShellScript(token: string): boolean {
  return /\.(?:sh|bash|zsh)$/.test(token) || !token.includes(".");
}

/** The package scripts commands name (a word equal to a script's name, or a run-all pattern such as `bench:*`), their pre/post hooks, transitively. */
export function namedScripts(texts: readonly string[], scripts: Record<string, string>): Set<string> {
  const names = Object.keys(scripts);
  const named = new Set<string>();
  const queue = texts.flatMap(words);
  const seen = new Set<string>();
  for (let i = 0; i < queue.length && i < MAX_WORDS && named.size < MAX_SCRIPTS; i++) {
    const word = queue[i]!.replace(/^(?:npm|yarn|pnpm|bun):/, "");
    if (seen.has(word)) continue;
    seen.add(word);
    const glob = /[*?[{]/.test(word) ? new Bun.Glob(word) : null;
    const matches = glob ? names.filter((n) => glob.match(n)) : [word];
    for (const match of matches) {
      for (const name of [match, `pre${match}`, `post${match}`]) {
        if (named.size >= MAX_SCRIPTS) return named;
        if (named.has(name) || !Object.hasOwn(scripts, name)) continue;
        named.add(name);
        queue.push(...words(scripts[name]!));
      }
    }
  }
  return named;
}

/** The words of a shell command line, split on blanks, quotes and operators (no expansion: a rough, safe over-read). */
function words(text: string): string[] {
  return text.split(/[\s"'`;&|()<>=]+/).filter((w) => w.length > 0 && w.length <= 512);
}

/**
 * Repository paths a command line may name: any word that is not a flag, normalised (`./x` → `x`, a leading
 * `$VAR/`, `${VAR}/` or `$(pwd)/` dropped), a module after `-m` as its file and its packages' `__init__`.
 * Absolute paths and `..` leave the repository, which the change cannot edit.
 */
export function pathTokens(text: string, options: { globs?: boolean } = {}): string[] {
  const all = words(text.replace(/\$(?:\([^()]*\)|\{[^{}]*\}|[A-Za-z_][A-Za-z0-9_]*)\//g, "")).flatMap((w) => (/^-m[A-Za-z_]/.test(w) ? ["-m", w.slice(2)] : [w]));
  const tokens: string[] = [];
  all.forEach((word, i) => {
    if (word.startsWith("-") || word.startsWith("/") || word.includes("$") || word.includes("://")) return;
    if (options.globs === false && /[*?[{]/.test(word)) return;
    const path = word.replace(/^(?:\.\/)+/, "").replace(/\/+$/, "");
    if (path.length === 0 || path === "." || path.split("/").includes("..")) return;
    tokens.push(path);
    if (all[i - 1] !== "-m" || !/^[A-Za-z_][\w.]*$/.test(path)) return;
    const parts = path.split(".");
    tokens.push(parts.join("/"), ...parts.slice(0, -1).map((_, n) => `${parts.slice(0, n + 1).join("/")}/__init__`));
  });
  return tokens;
}

/**
 * Whether a word names this path: the path itself, the path without its extension, a glob matching it, or,
 * for a folder, its entry point (`index.*`, `main.*`, `__main__.py`, `__init__.py`): a folder named as a
 * package to test or a workspace to run holds the very code the change is meant to speed up.
 */
export function namesPath(token: string, path: string): boolean {
  if (path === token) return true;
  if (path.startsWith(`${token}/`)) return /^(?:index|main|__main__|__init__)\.[^/]+$/.test(path.slice(token.length + 1));
  if (/[*?[{]/.test(token) && new Bun.Glob(token).match(path)) return true;
  const dot = path.lastIndexOf(".");
  return dot > path.lastIndexOf("/") + 1 && path.slice(0, dot) === token;
}

/** The folders (below the root) of the nearest package.json at the base above each changed path. */
async function packageDirs(reader: BaseReader, paths: string[]): Promise<string[]> {
  // Bounded: a path thousands of folders deep is no package's, and would not fit in one git call.
  const ancestors = (path: string) => path.split("/").slice(0, -1).slice(0, 32).map((_, n, parts) => parts.slice(0, parts.length - n).join("/"));
  const manifests = await reader.files([...new Set(paths.flatMap(ancestors))].map((dir) => `${dir}/package.json`));
  return [...new Set(paths.map((path) => ancestors(path).find((dir) => manifests.has(`${dir}/package.json`))).filter((d): d is string => d !== undefined))];
}

interface BaseReader {
  read(path: string): Promise<string | null>;
  /** Which of these paths are files at the base (one git call). */
  files(paths: string[]): Promise<Set<string>>;
  rootFiles(): Promise<string[]>;
}

/** Committed files at the base, each read once, within MAX_FILE each and MAX_READ in all (past it: as if absent). */
function baseReader(repoRoot: string, commit: string): BaseReader {
  const texts = new Map<string, Promise<string | null>>();
  const budget = { left: MAX_READ };
  const blobs = async (paths: string[]): Promise<Map<string, number>> => {
    const found = new Map<string, number>();
    if (paths.length === 0) return found;
    const r = await git(["--literal-pathspecs", "ls-tree", "-l", "-z", commit, "--", ...paths], { cwd: repoRoot, allowFailure: true });
    for (const entry of r.exitCode === 0 ? r.stdout.split("\0") : []) {
      const m = /^\d+ blob [0-9a-f]+ +(\d+)\t(.*)$/s.exec(entry);
      if (m) found.set(m[2]!, Number(m[1]));
    }
    return found;
  };
  const load = async (path: string): Promise<string | null> => {
    const size = (await blobs([path])).get(path);
    if (size === undefined || size > MAX_FILE || size > budget.left) return null;
    budget.left -= size;
    const r = await git(["cat-file", "blob", `${commit}:${path}`], { cwd: repoRoot, allowFailure: true });
    return r.exitCode === 0 && !r.stdout.includes("\u0000") ? r.stdout : null;
  };
  return {
    read: (path) => texts.get(path) ?? (texts.set(path, load(path)), texts.get(path)!),
    files: async (paths) => new Set((await blobs(paths)).keys()),
    rootFiles: async () => {
      const r = await git(["ls-tree", "--name-only", "-z", commit], { cwd: repoRoot, allowFailure: true });
      return r.exitCode === 0 ? r.stdout.split("\0").filter(Boolean) : [];
    },
  };
}

/** A manifest's scripts (PackageScripts: strings only), or null when it is not a JSON object. */
function scriptsOf(text: string | null): Record<string, string> | null {
  if (text === null) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return null;
    const scripts = PackageScripts.from((parsed as { scripts?: unknown }).scripts);
    return Object.fromEntries(scripts.names.map((name) => [name, scripts.body(name)]));
  } catch {
    return null;
  }
}
