import { commandWords, splitCommands } from "../config/ci/shell-words.ts";
import { getEcosystem, type EcosystemId } from "../ecosystems/registry.ts";
import { FIX_TOOLS, targetIndexes, toolOfBin, toolOfPackage, type FixTool, type ToolId } from "./fix-tools.ts";
import { shellQuote } from "../core/shell-quote.ts";

/** A configured check: its name and the command it runs. */
export interface FixerCheck {
  name: string;
  run: string;
}

/** The command that fixes what a check complains about, planned from the repository's own scripts and tools. */
export interface Fixer {
  /** The command line, run in the sandbox in a checkout of the commit. */
  command: string;
  /** `script`: a fix script of package.json, run as the repository wrote it; `tool`: the fix mode of the linter or formatter the check's script calls. */
  source: "script" | "tool";
  /** The package.json script it runs (`script`), or the check's script whose tool it calls (`tool`; null when the check calls the tool itself). */
  script: string | null;
  tool: ToolId | null;
  /** The files were passed to the tool: it fixes only those. */
  scoped: boolean;
  /** Where the command comes from, one line for the PR. */
  why: string;
}

export type FixerPlan = { fixer: Fixer; reason?: undefined } | { fixer: null; reason: string };

/** How far a script that only calls another script (`"lint": "npm run lint:js"`) is followed. */
const MAX_SCRIPT_DEPTH = 4;
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
/** Words that run another command (`env`, `time`...): the command is not the tool's alone. */
const PREFIX_COMMANDS = new Set(["env", "time", "command", "exec", "nice", "nohup", "sudo", "xargs", "cross-env"]);
/** Shell syntax a plan cannot reason about: expansions, substitutions, redirections. */
const SHELL_SYNTAX = /[`$<>]/;
/** The script names of a formatter whose plain run rewrites files (`format:check` -> `format`). */
const FORMAT_SCRIPTS = new Set(["format", "fmt", "prettier", "prettify"]);
/** How each package manager runs an executable of node_modules/.bin without fetching one. */
const EXEC: Record<EcosystemId, string[]> = {
  npm: ["npm", "exec", "--no", "--"],
  pnpm: ["pnpm", "exec"],
  yarn: ["yarn", "run"],
  bun: ["bun", "run"],
};

interface Planning {
  scripts: Readonly<Record<string, string>>;
  pm: EcosystemId;
  files: readonly string[];
  depth: number;
  /** The script whose body is being read, for `Fixer.script`. */
  script: string | null;
}

type Call =
  | { kind: "script"; script: string; args: string[] }
  | { kind: "tool"; tool: FixTool; bin: string; assignments: string[]; args: string[] }
  | { kind: "unknown"; reason: string };

/**
 * The fixer for a failing check, or why there is none. In order: (a) a package.json script that is the
 * fix variant of the check's script (`lint` -> `lint:fix`, `lint-fix`, `fix:lint`; `format:check` ->
 * `format:write`, `format`), run through the package manager as the repository wrote it; (b) else the fix
 * mode of the linter or formatter the check's script calls (eslint and standard, xo, stylelint `--fix`,
 * prettier `--check` -> `--write`, biome `--write`), with `files` (the ones the failure named) in place of the
 * files it checks when its options can be read. A script that calls one other script is followed. Anything
 * with shell operators or expansions (`&&`, `;`, `|`, `$(...)`, redirections) gets a fix script or nothing.
 */
export function fixerFor(check: FixerCheck, scripts: Readonly<Record<string, string>>, packageManager: EcosystemId, files: readonly string[] = []): FixerPlan {
  const commands = splitCommands(check.run);
  if (commands.length !== 1 || SHELL_SYNTAX.test(check.run)) return none(`\`${check.run}\` is not one simple command, so PushPals cannot tell what it runs`);
  return plan(commands[0]!.words, { scripts, pm: packageManager, files, depth: 0, script: null });
}

function plan(words: string[], at: Planning): FixerPlan {
  const call = readCall(words, at.scripts);
  if (call.kind === "unknown") return none(call.reason);
  if (call.kind === "tool") return toolFixer(call, at);
  const { script } = call;
  const body = at.scripts[script];
  if (typeof body !== "string") return none(`package.json has no "${script}" script`);
  const variants = fixVariants(script);
  const variant = variants.find((v) => typeof at.scripts[v] === "string" && at.scripts[v]!.trim() !== "" && at.scripts[v] !== body);
  if (variant) {
    return { fixer: { command: getEcosystem(at.pm).runScript(shellQuote(variant)), source: "script", script: variant, tool: null, scoped: false, why: `the package.json script "${variant}", the fix of "${script}"` } };
  }
  const noScript = `package.json has no fix script for "${script}" (${variants.join(", ")})`;
  const inner = splitCommands(body);
  if (inner.length !== 1 || SHELL_SYNTAX.test(body)) return none(`${noScript}, and "${script}" (\`${body}\`) is not one simple command`);
  if (at.depth >= MAX_SCRIPT_DEPTH) return none(`${noScript}, and its scripts call each other more than ${MAX_SCRIPT_DEPTH} deep`);
  const innerWords = [...inner[0]!.words, ...call.args];
  // The runner appends the check's arguments to the script's text: to a script call they would be the runner's.
  if (call.args.length > 0 && readCall(inner[0]!.words, at.scripts).kind === "script") return none(`${noScript}, and the check passes arguments to a script that calls another script`);
  const planned = plan(innerWords, { ...at, depth: at.depth + 1, script });
  return planned.fixer ? planned : none(`${noScript}, and ${planned.reason}`);
}

/** The fix variants of a script name, most specific first. */
export function fixVariants(name: string): string[] {
  const out = [`${name}:fix`, `${name}-fix`, `fix:${name}`];
  const base = /^(.+)[:-]check$/.exec(name)?.[1] ?? /^check[:-](.+)$/.exec(name)?.[1] ?? null;
  if (base) out.push(`${base}:write`, `${base}:fix`, `${base}-write`, `${base}-fix`, `fix:${base}`, `write:${base}`, ...(FORMAT_SCRIPTS.has(base) ? [base] : []));
  return [...new Set(out)].filter((n) => n !== name);
}

/** What one simple command runs: a package script, one of the known tools, or something else (why not). */
function readCall(words: string[], scripts: Readonly<Record<string, string>>): Call {
  const assignments = words.slice(0, words.length - commandWords(words).length);
  const [program = "", ...args] = words.slice(assignments.length);
  if (!program) return unknown("it runs nothing");
  if (assignments.some((a) => !ASSIGNMENT.test(a)) || PREFIX_COMMANDS.has(program)) return unknown(`\`${words.join(" ")}\` runs its command through \`${program}\``);
  const name = program.split("/").pop() ?? program;
  const withEnv = (call: Call): Call => (call.kind === "script" && assignments.length > 0 ? unknown(`\`${words.join(" ")}\` sets environment variables for the script`) : call);
  if (name === "npm") return withEnv(npmCall(args, assignments));
  if (name === "pnpm" || name === "yarn") return withEnv(pnpmOrYarnCall(name, args, assignments, scripts));
  if (name === "bun") return withEnv(bunCall(args, assignments));
  if (name === "npx" || name === "pnpx" || name === "bunx") return execCall(args, assignments, NPX_FLAGS);
  const tool = toolOfBin(program);
  if (tool) return { kind: "tool", tool, bin: name, assignments, args };
  return unknown(`\`${program}\` is not a linter or formatter whose fix mode PushPals knows (${FIX_TOOLS.map((t) => t.id).join(", ")})`);
}

const NPX_FLAGS = new Set(["--no-install", "--no", "-y", "--yes", "--offline", "--prefer-offline", "-q", "--quiet"]);
const NPM_RUN = new Set(["run", "run-script", "rum", "urn"]);
const NPM_RUN_FLAGS = new Set(["--silent", "-s", "--if-present", "--quiet", "-q"]);

function npmCall(args: string[], assignments: string[]): Call {
  const [sub, ...rest] = args;
  if (sub === "exec" || sub === "x") return execCall(rest, assignments, NPX_FLAGS);
  if (!sub || !NPM_RUN.has(sub)) return unknown(`\`npm ${args.join(" ")}\` does not run a package script`);
  let i = 0;
  while (rest[i] !== undefined && NPM_RUN_FLAGS.has(rest[i]!)) i++;
  const script = rest[i];
  if (!script || script.startsWith("-")) return unknown(`\`npm ${args.join(" ")}\` names no script PushPals can read`);
  const after = rest.slice(i + 1).filter((w) => !NPM_RUN_FLAGS.has(w));
  if (after.length > 0 && after[0] !== "--") return unknown(`\`npm ${args.join(" ")}\` passes options PushPals cannot read`);
  return { kind: "script", script, args: after.slice(1) };
}

const PNPM_BUILTINS = new Set(["install", "i", "add", "remove", "rm", "update", "up", "test", "t", "publish", "pack", "link", "unlink", "audit", "outdated", "list", "ls", "why", "init", "rebuild", "prune", "store", "config", "patch", "dedupe", "info", "cache", "bin", "create", "node", "set", "version"]);

function pnpmOrYarnCall(pm: "pnpm" | "yarn", args: string[], assignments: string[], scripts: Readonly<Record<string, string>>): Call {
  const [sub, ...rest] = args;
  if (!sub || sub.startsWith("-")) return unknown(`\`${pm} ${args.join(" ")}\` runs with options PushPals cannot read (workspaces, another folder)`);
  if (sub === "exec" || sub === "dlx") return execCall(rest, assignments, new Set());
  if (sub === "run" || sub === "run-script") {
    const [script, ...more] = rest;
    if (!script || script.startsWith("-")) return unknown(`\`${pm} ${args.join(" ")}\` names no script PushPals can read`);
    return { kind: "script", script, args: more[0] === "--" ? more.slice(1) : more };
  }
  if (PNPM_BUILTINS.has(sub)) return unknown(`\`${pm} ${sub}\` does not run a lint or format script`);
  // `pnpm lint`, `yarn lint`: the script, else an executable of node_modules/.bin of that name.
  const tool = typeof scripts[sub] === "string" ? undefined : toolOfBin(sub);
  if (tool) return { kind: "tool", tool, bin: sub, assignments, args: rest };
  return { kind: "script", script: sub, args: rest[0] === "--" ? rest.slice(1) : rest };
}

function bunCall(args: string[], assignments: string[]): Call {
  const [sub, ...rest] = args;
  if (sub === "x") return execCall(rest, assignments, NPX_FLAGS);
  if (sub !== "run") return unknown(`\`bun ${args.join(" ")}\` does not run a package script`);
  const [script, ...more] = rest;
  if (!script || script.startsWith("-")) return unknown(`\`bun ${args.join(" ")}\` names no script PushPals can read`);
  return { kind: "script", script, args: more[0] === "--" ? more.slice(1) : more };
}

/** `npx eslint .`, `pnpm exec prettier --check .`: the tool, whatever runner the check used (the fix runs the installed one). */
function execCall(args: string[], assignments: string[], flags: ReadonlySet<string>): Call {
  let i = 0;
  while (args[i] !== undefined && flags.has(args[i]!)) i++;
  if (args[i] === "--") i++;
  const spec = args[i];
  if (!spec || spec.startsWith("-")) return unknown(`\`${args.join(" ")}\` runs a tool with options PushPals cannot read`);
  const tool = toolOfPackage(spec);
  if (!tool) return unknown(`\`${spec}\` is not a linter or formatter whose fix mode PushPals knows (${FIX_TOOLS.map((t) => t.id).join(", ")})`);
  const named = spec.replace(/^(@[^/]+\/)?([^@]+).*$/, "$2");
  return { kind: "tool", tool, bin: tool.bins.includes(named) ? named : tool.bins[0]!, assignments, args: args.slice(i + 1) };
}

function toolFixer(call: Extract<Call, { kind: "tool" }>, at: Planning): FixerPlan {
  const { tool, bin } = call;
  let subcommand: string | null = null;
  let args = call.args;
  if (tool.subcommands) {
    subcommand = args[0] ?? null;
    if (!subcommand || !tool.subcommands.has(subcommand)) return none(`\`${bin} ${args.join(" ")}\` is not one of ${tool.id}'s checks (${[...tool.subcommands].join(", ")})`);
    args = args.slice(1);
  }
  let scoped = false;
  if (at.files.length > 0) {
    const targets = targetIndexes(tool, args);
    if (targets) {
      const drop = new Set(targets);
      args = [...args.filter((_, i) => !drop.has(i)), ...at.files];
      scoped = true;
    }
  }
  const fixed = tool.fix(args, subcommand);
  if ("reason" in fixed) return none(fixed.reason);
  // `yarn run X` and `bun run X` run the script X when there is one, not the executable.
  if ((at.pm === "yarn" || at.pm === "bun") && typeof at.scripts[bin] === "string") return none(`"${bin}" is also a script of package.json, so \`${EXEC[at.pm].join(" ")} ${bin}\` would run the script, not ${tool.id}`);
  const words = [...EXEC[at.pm], bin, ...(fixed.subcommand ? [fixed.subcommand] : []), ...fixed.args].map(shellQuote);
  const command = [...call.assignments.map(quoteAssignment), ...words].join(" ");
  const via = at.script ? `the "${at.script}" script's ${tool.id}` : tool.id;
  return { fixer: { command, source: "tool", script: at.script, tool: tool.id, scoped, why: `${via} in its fix mode${scoped ? `, on the ${at.files.length} file(s) the failure named` : ""}` } };
}

/** `NAME=value` with only the value quoted, so the shell still reads it as an assignment. */
function quoteAssignment(word: string): string {
  const eq = word.indexOf("=");
  return `${word.slice(0, eq + 1)}${shellQuote(word.slice(eq + 1))}`;
}

function none(reason: string): FixerPlan {
  return { fixer: null, reason };
}

function unknown(reason: string): Call {
  return { kind: "unknown", reason };
}
