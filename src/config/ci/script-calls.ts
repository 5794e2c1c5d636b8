import { commandWords, splitCommands } from "./shell-words.ts";

/** The package managers whose command lines are understood. */
export type Runner = "npm" | "pnpm" | "yarn" | "bun";

/** What one simple command of a shell line does, as far as checks are concerned. */
export type ShellCall =
  /** Runs a package script; `script` may be an npm-run-all pattern (`check:*`). */
  | { kind: "script"; runner: Runner; script: string; workspaces: boolean }
  | { kind: "install"; runner: Runner }
  /** Runs a tool without a script: npx, pnpm exec/dlx, yarn dlx, bunx. */
  | { kind: "exec"; tool: string }
  /** Bun's own test runner (`bun test`), which is not the "test" script. */
  | { kind: "bun-test" }
  | { kind: "other"; program: string | null };

export interface ParsedCommand {
  /** The command as written. */
  text: string;
  /** Its first word after environment assignments (`npm`, `go`, `./gradlew`), or null. */
  program: string | null;
  calls: ShellCall[];
  /** The folder it runs in when not the repository root (after `cd pkg`, with `npm --prefix pkg`). */
  dir: string | null;
}

/**
 * Reads a shell line (a CI step, a package script's body) into the package-script calls it makes:
 * `npm test`, `npm run X`, `npm run-script X`, `pnpm X`, `pnpm -r test`, `yarn X`, `yarn run X`,
 * `bun run X`, `run-s a b:*`; installs, npx-style tool runs and `bun test` are told apart.
 */
export function parseShellCalls(text: string): ParsedCommand[] {
  const parsed: ParsedCommand[] = [];
  let cwd: string | null = null;
  for (const command of splitCommands(text)) {
    const words = commandWords(command.words);
    if (words[0] === "cd" || words[0] === "pushd") {
      cwd = rootRelative(words[1]);
      continue;
    }
    const { call, dir } = readCall(words);
    parsed.push({ text: command.text, program: words[0] ?? null, calls: call, dir: dir ?? cwd });
  }
  return parsed;
}

/** null for the repository root itself (`.`, `$GITHUB_WORKSPACE`, `$CI_PROJECT_DIR`). */
function rootRelative(dir: string | undefined): string | null {
  if (dir === undefined || /^(\.\/?|\$\{?(GITHUB_WORKSPACE|CI_PROJECT_DIR)\}?\/?)$/.test(dir)) return null;
  return dir;
}

interface Read {
  call: ShellCall[];
  dir?: string | null;
}

function readCall(words: string[]): Read {
  const [program = "", ...args] = words;
  const name = program.split("/").pop() ?? program;
  if (name === "npm") return npmCall(args);
  if (name === "pnpm") return pnpmCall(args);
  if (name === "yarn") return yarnCall(args, false);
  if (name === "bun") return bunCall(args);
  if (name === "npx" || name === "pnpx" || name === "bunx") return { call: [{ kind: "exec", tool: firstOperand(args, EXEC_VALUE_FLAGS) ?? "" }] };
  if (name === "npm-run-all" || name === "run-s" || name === "run-p") return { call: runAllCalls(args) };
  return { call: [{ kind: "other", program: program || null }] };
}

const EXEC_VALUE_FLAGS = new Set(["-p", "--package", "-c", "--call"]);
const NPM_VALUE_FLAGS = new Set(["-w", "--workspace", "--prefix", "-C", "--loglevel"]);
const NPM_INSTALL = new Set(["ci", "install", "i", "in", "ins", "inst", "insta", "instal", "isnt", "isnta", "isntal", "add", "clean-install", "ic", "install-clean"]);
// `npm it`, `npm cit`: an install, then the test script.
const NPM_INSTALL_TEST = new Set(["it", "install-test", "cit", "install-ci-test", "clean-install-test", "sit"]);

function npmCall(args: string[]): Read {
  const flags = scanFlags(args, NPM_VALUE_FLAGS);
  const dir = flagValue(args, ["--prefix", "-C"]);
  const workspaces = hasFlag(args, ["-ws", "--workspaces", "-w", "--workspace"]);
  const [sub, ...rest] = args.slice(flags);
  if (sub === undefined) return { call: [{ kind: "other", program: "npm" }] };
  if (sub === "test" || sub === "t" || sub === "tst") return { call: [script("npm", "test", workspaces)], dir };
  if (NPM_INSTALL_TEST.has(sub)) return { call: [{ kind: "install", runner: "npm" }, script("npm", "test", workspaces)], dir };
  if (["start", "stop", "restart"].includes(sub)) return { call: [script("npm", sub, workspaces)], dir };
  if (NPM_INSTALL.has(sub)) return { call: [{ kind: "install", runner: "npm" }], dir };
  if (sub === "exec" || sub === "x") return { call: [{ kind: "exec", tool: firstOperand(rest, EXEC_VALUE_FLAGS) ?? "" }], dir };
  if (sub !== "run" && sub !== "run-script" && sub !== "rum" && sub !== "urn") return { call: [{ kind: "other", program: "npm" }], dir };
  const name = firstOperand(rest, NPM_VALUE_FLAGS);
  const inner = workspaces || hasFlag(rest, ["-ws", "--workspaces", "-w", "--workspace"]);
  return { call: name ? [script("npm", name, inner)] : [{ kind: "other", program: "npm" }], dir: dir ?? flagValue(rest, ["--prefix", "-C"]) };
}

const PNPM_VALUE_FLAGS = new Set(["--filter", "-F", "-C", "--dir", "--workspace-concurrency", "--reporter", "--resume-from", "--changed-files-ignore-pattern", "--test-pattern", "--loglevel"]);
const PNPM_INSTALL = new Set(["install", "i", "add", "fetch", "ci"]);
const PNPM_BUILTINS = new Set(["remove", "rm", "update", "up", "create", "publish", "pack", "link", "unlink", "store", "audit", "outdated", "list", "ls", "why", "init", "import", "rebuild", "prune", "deploy", "env", "setup", "config", "root", "bin", "patch", "patch-commit", "licenses", "server", "approve-builds", "dedupe", "self-update"]);

function pnpmCall(args: string[]): Read {
  const flags = scanFlags(args, PNPM_VALUE_FLAGS);
  const dir = flagValue(args, ["-C", "--dir"]);
  const workspaces = hasFlag(args, ["-r", "--recursive", "--filter", "-F"]);
  const [sub, ...rest] = args.slice(flags);
  if (sub === undefined) return { call: [{ kind: "other", program: "pnpm" }], dir };
  if (sub === "test" || sub === "t" || sub === "tst") return { call: [script("pnpm", "test", workspaces)], dir };
  if (PNPM_INSTALL.has(sub)) return { call: [{ kind: "install", runner: "pnpm" }], dir };
  if (sub === "exec" || sub === "dlx") return { call: [{ kind: "exec", tool: firstOperand(rest, PNPM_VALUE_FLAGS) ?? "" }], dir };
  if (PNPM_BUILTINS.has(sub)) return { call: [{ kind: "other", program: "pnpm" }], dir };
  if (sub !== "run" && sub !== "run-script") return { call: [script("pnpm", sub, workspaces)], dir };
  const name = firstOperand(rest, PNPM_VALUE_FLAGS);
  const inner = workspaces || hasFlag(rest, ["-r", "--recursive", "--filter", "-F"]);
  return { call: name ? [script("pnpm", name, inner)] : [{ kind: "other", program: "pnpm" }], dir };
}

const YARN_VALUE_FLAGS = new Set(["--cwd", "--network-timeout", "--mutex", "--modules-folder", "--cache-folder", "--registry", "--from", "--include", "--exclude", "-j", "--jobs", "--since"]);
const YARN_BUILTINS = new Set(["remove", "upgrade", "up", "why", "info", "init", "set", "config", "cache", "constraints", "npm", "pack", "patch", "plugin", "rebuild", "unlink", "link", "version", "publish", "node", "bin", "global", "audit", "outdated", "licenses", "list", "import", "generate-lock-entry", "autoclean", "create", "login", "logout", "owner", "tag", "team", "help", "policies", "explain", "dedupe"]);

function yarnCall(args: string[], inWorkspace: boolean): Read {
  const flags = scanFlags(args, YARN_VALUE_FLAGS);
  const dir = flagValue(args, ["--cwd"]);
  const [sub, ...rest] = args.slice(flags);
  if (sub === undefined || sub === "install" || sub === "add") return { call: [{ kind: "install", runner: "yarn" }], dir };
  if (sub === "dlx" || sub === "exec") return { call: [{ kind: "exec", tool: firstOperand(rest, YARN_VALUE_FLAGS) ?? "" }], dir };
  // `yarn workspace <name> lint`, `yarn workspaces foreach -A run lint`, Yarn 1's `yarn workspaces run lint`.
  if (sub === "workspace") return yarnCall(rest.slice(1), true);
  if (sub === "workspaces") return yarnCall(rest.slice(scanFlags(rest, YARN_VALUE_FLAGS)).filter((w, i) => i > 0 || w !== "foreach"), true);
  if (YARN_BUILTINS.has(sub)) return { call: [{ kind: "other", program: "yarn" }], dir };
  if (sub !== "run") return { call: [script("yarn", sub, inWorkspace)], dir };
  const name = firstOperand(rest, YARN_VALUE_FLAGS);
  return { call: name ? [script("yarn", name, inWorkspace)] : [{ kind: "other", program: "yarn" }], dir };
}

const BUN_VALUE_FLAGS = new Set(["--cwd", "--filter", "-F", "--elide-lines"]);
const BUN_BUILTINS = new Set(["build", "init", "create", "upgrade", "pm", "link", "unlink", "remove", "rm", "update", "outdated", "publish", "patch", "audit", "info", "repl", "exec"]);

function bunCall(args: string[]): Read {
  const flags = scanFlags(args, BUN_VALUE_FLAGS);
  const dir = flagValue(args, ["--cwd"]);
  const workspaces = hasFlag(args, ["--filter", "-F"]);
  const [sub, ...rest] = args.slice(flags);
  if (sub === undefined) return { call: [{ kind: "other", program: "bun" }], dir };
  if (sub === "test") return { call: [{ kind: "bun-test" }], dir };
  if (sub === "install" || sub === "i" || sub === "add" || sub === "ci") return { call: [{ kind: "install", runner: "bun" }], dir };
  if (sub === "x") return { call: [{ kind: "exec", tool: firstOperand(rest, EXEC_VALUE_FLAGS) ?? "" }], dir };
  if (BUN_BUILTINS.has(sub)) return { call: [{ kind: "other", program: "bun" }], dir };
  if (sub !== "run") return looksLikeFile(sub) ? { call: [{ kind: "other", program: "bun" }], dir } : { call: [script("bun", sub, workspaces)], dir };
  const name = firstOperand(rest, BUN_VALUE_FLAGS);
  if (!name || looksLikeFile(name)) return { call: [{ kind: "other", program: "bun" }], dir };
  return { call: [script("bun", name, workspaces || hasFlag(rest, ["--filter", "-F"]))], dir };
}

const RUN_ALL_VALUE_FLAGS = new Set(["--npm-path", "--max-parallel"]);

/** `run-s lint test:*`, `npm-run-all -s a -p b c`: every pattern is a script call. */
function runAllCalls(args: string[]): ShellCall[] {
  const calls: ShellCall[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word === "--") break;
    if (RUN_ALL_VALUE_FLAGS.has(word)) i++;
    else if (!word.startsWith("-")) calls.push(script("npm", word.split(/\s/)[0]!, false));
  }
  return calls;
}

function script(runner: Runner, name: string, workspaces: boolean): ShellCall {
  return { kind: "script", runner, script: name, workspaces };
}

function looksLikeFile(word: string): boolean {
  return word.includes("/") || /\.(m?[jt]sx?|cjs|cts)$/.test(word);
}

/** How many leading words are the package manager's own flags (with their values). */
function scanFlags(args: string[], valueFlags: Set<string>): number {
  let i = 0;
  while (i < args.length && args[i]!.startsWith("-") && args[i] !== "--") i += valueFlags.has(args[i]!) ? 2 : 1;
  return i;
}

/** The first word that is neither a flag nor a flag's value. */
function firstOperand(args: string[], valueFlags: Set<string>): string | undefined {
  const at = scanFlags(args, valueFlags);
  const word = args[at];
  return word === "--" ? args[at + 1] : word;
}

function hasFlag(args: string[], names: string[]): boolean {
  const end = args.indexOf("--");
  return (end < 0 ? args : args.slice(0, end)).some((w) => names.some((n) => w === n || w.startsWith(`${n}=`)));
}

function flagValue(args: string[], names: string[]): string | null {
  for (let i = 0; i < args.length && args[i] !== "--"; i++) {
    const word = args[i]!;
    for (const name of names) {
      if (word === name) return rootRelative(args[i + 1]);
      if (word.startsWith(`${name}=`)) return rootRelative(word.slice(name.length + 1));
    }
  }
  return null;
}
