/**
 * The linters and formatters whose fix mode PushPals knows: how each is called, which of its flags take
 * a value (so the files it checks can be told from its options), and how its check becomes its fix.
 */
export type ToolId = "eslint" | "prettier" | "biome" | "standard" | "xo" | "stylelint";

export interface FixTool {
  id: ToolId;
  /** The executable names it installs (node_modules/.bin) and package names npx-style runners take. */
  bins: readonly string[];
  packages: readonly string[];
  /** Flags followed by a value in the next word (`--config x`); `--flag=value` is understood for any flag. */
  valueFlags: ReadonlySet<string>;
  /** Flags that take no value. Any other flag (not `--no-*`) is one PushPals cannot reason about. */
  booleanFlags: ReadonlySet<string>;
  /** The subcommands that lint or format, when the tool has subcommands (biome). */
  subcommands?: ReadonlySet<string>;
  /** The check's arguments as the fix's, or why it has no fix mode; `args` start after the subcommand, if any. */
  fix(args: string[], subcommand: string | null): { args: string[]; subcommand: string | null } | { reason: string };
}

const set = (...words: string[]) => new Set(words);

/** Adds `flag` unless one of `present` is already there. */
function withFlag(args: string[], flag: string, present: readonly string[] = [flag]): string[] {
  return args.some((a) => present.includes(a) || present.some((p) => a.startsWith(`${p}=`))) ? args : [...args, flag];
}

const ESLINT: FixTool = {
  id: "eslint",
  bins: ["eslint"],
  packages: ["eslint"],
  valueFlags: set(
    "-c", "--config", "--env", "--ext", "--global", "--parser", "--parser-options", "--resolve-plugins-relative-to", "--rulesdir", "--plugin", "--rule",
    "--ignore-path", "--ignore-pattern", "--stdin-filename", "--max-warnings", "-o", "--output-file", "-f", "--format", "--cache-file", "--cache-location",
    "--cache-strategy", "--fix-type", "--report-unused-disable-directives-severity", "--flag", "--concurrency", "--suppressions-location", "--print-config",
  ),
  booleanFlags: set(
    "--fix", "--fix-dry-run", "--cache", "--quiet", "--color", "--debug", "--stdin", "--report-unused-disable-directives", "--exit-on-fatal-error",
    "--error-on-unmatched-pattern", "--pass-on-no-patterns", "--stats", "--inline-config", "--warn-ignored", "--suppress-all", "--prune-suppressions",
    "--pass-on-unpruned-suppressions",
  ),
  fix: (args) => ({ args: withFlag(args.filter((a) => a !== "--fix-dry-run"), "--fix"), subcommand: null }),
};

const PRETTIER_CHECKS = ["--check", "-c", "--list-different", "-l"];

const PRETTIER: FixTool = {
  id: "prettier",
  bins: ["prettier"],
  packages: ["prettier"],
  valueFlags: set(
    "--config", "--ignore-path", "--plugin", "--plugin-search-dir", "--parser", "--log-level", "--loglevel", "--cache-location", "--cache-strategy",
    "--end-of-line", "--print-width", "--tab-width", "--trailing-comma", "--arrow-parens", "--prose-wrap", "--quote-props", "--html-whitespace-sensitivity",
    "--embedded-language-formatting", "--object-wrap", "--experimental-operator-position", "--stdin-filepath", "--config-precedence", "--cursor-offset",
    "--range-start", "--range-end",
  ),
  booleanFlags: set(
    ...PRETTIER_CHECKS, "--write", "-w", "--ignore-unknown", "-u", "--cache", "--with-node-modules", "--semi", "--single-quote", "--jsx-single-quote",
    "--bracket-same-line", "--bracket-spacing", "--use-tabs", "--vue-indent-script-and-style", "--single-attribute-per-line", "--experimental-ternaries",
    "--insert-pragma", "--require-pragma", "--color", "--debug-check",
  ),
  fix(args) {
    if (!args.some((a) => PRETTIER_CHECKS.includes(a))) return { reason: "it calls prettier without --check or --list-different, so it is not a check prettier's --write fixes" };
    return { args: withFlag(args.filter((a) => !PRETTIER_CHECKS.includes(a)), "--write", ["--write", "-w"]), subcommand: null };
  },
};

const BIOME_WRITES = ["--write", "--apply", "--apply-unsafe", "--fix"];

const BIOME: FixTool = {
  id: "biome",
  bins: ["biome"],
  packages: ["@biomejs/biome"],
  valueFlags: set(
    "--config-path", "--max-diagnostics", "--diagnostic-level", "--reporter", "--vcs-root", "--vcs-client-kind", "--vcs-default-branch", "--files-max-size",
    "--indent-style", "--indent-width", "--line-width", "--line-ending", "--log-level", "--log-kind", "--since", "--stdin-file-path", "--only", "--skip", "--colors",
  ),
  booleanFlags: set(...BIOME_WRITES, "--unsafe", "--staged", "--changed", "--no-errors-on-unmatched", "--error-on-warnings", "--verbose", "--use-server", "--skip-errors", "--skip-parse-errors"),
  subcommands: set("check", "lint", "format", "ci"),
  fix(args, subcommand) {
    // `biome ci` is `check` that never writes; `--write` is biome 1.8's name for the fix mode (`--apply` before it).
    if (subcommand === "ci") return { args: withFlag(args, "--write", BIOME_WRITES), subcommand: "check" };
    if (subcommand === "check" || subcommand === "lint" || subcommand === "format") return { args: withFlag(args, "--write", BIOME_WRITES), subcommand };
    return { reason: `biome ${subcommand ?? "(no subcommand)"} is not one of its checks (check, lint, format, ci)` };
  },
};

const STANDARD: FixTool = {
  id: "standard",
  bins: ["standard", "semistandard", "ts-standard", "standardx"],
  packages: ["standard", "semistandard", "ts-standard", "standardx"],
  valueFlags: set("--env", "--global", "--plugin", "--parser", "-p", "--project", "--ext"),
  booleanFlags: set("--fix", "--verbose", "--stdin", "--version", "--help"),
  fix: (args) => ({ args: withFlag(args, "--fix"), subcommand: null }),
};

const XO: FixTool = {
  id: "xo",
  bins: ["xo"],
  packages: ["xo"],
  valueFlags: set("--env", "--global", "--ignore", "--extend", "--plugin", "--parser", "--extension", "--reporter", "--cwd", "--print-config", "--node-version", "--stdin-filename", "--config"),
  booleanFlags: set("--fix", "--quiet", "--open", "--prettier", "--stdin", "--react", "--semicolon", "--esnext"),
  fix: (args) => ({ args: withFlag(args, "--fix"), subcommand: null }),
};

const STYLELINT: FixTool = {
  id: "stylelint",
  bins: ["stylelint"],
  packages: ["stylelint"],
  valueFlags: set(
    "--config", "-c", "--config-basedir", "--custom-syntax", "--ignore-path", "-i", "--ignore-pattern", "--ip", "--output-file", "-o", "--formatter", "-f",
    "--custom-formatter", "--cache-location", "--cache-strategy", "--max-warnings", "--mw", "--stdin-filename", "--print-config", "--globby-options",
  ),
  booleanFlags: set(
    "--fix", "--cache", "--quiet", "-q", "--color", "--allow-empty-input", "--aei", "--report-needless-disables", "--rd", "--report-invalid-scope-disables", "--risd",
    "--report-descriptionless-disables", "--rdd", "--ignore-disables", "--id", "--disable-default-ignores", "--di", "--quiet-deprecation-warnings", "--validate",
  ),
  fix: (args) => ({ args: withFlag(args, "--fix"), subcommand: null }),
};

export const FIX_TOOLS: readonly FixTool[] = [ESLINT, PRETTIER, BIOME, STANDARD, XO, STYLELINT];

/** The tool an executable (`eslint`, `./node_modules/.bin/eslint`) is, or undefined. */
export function toolOfBin(program: string): FixTool | undefined {
  const name = program.split("/").pop() ?? program;
  if (program.includes("/") && !/^(\.\/)?node_modules\/\.bin\/[^/]+$/.test(program)) return undefined;
  return FIX_TOOLS.find((t) => t.bins.includes(name));
}

/** The tool an npx-style package spec (`prettier`, `prettier@3.3.3`, `@biomejs/biome@1.9.0`) runs, or undefined. */
export function toolOfPackage(spec: string): FixTool | undefined {
  const name = spec.startsWith("@") ? spec.replace(/^(@[^/@]+\/[^@]+)@.*$/, "$1") : spec.replace(/@.*$/, "");
  return FIX_TOOLS.find((t) => t.packages.includes(name) || t.bins.includes(name));
}

/**
 * Where the files the tool checks are among `args` (from `start`), so they can be replaced by the files
 * a failure named; null when a flag PushPals does not know stands in the way (it might take a value).
 */
export function targetIndexes(tool: FixTool, args: readonly string[], start = 0): number[] | null {
  const targets: number[] = [];
  for (let i = start; i < args.length; i++) {
    const word = args[i]!;
    if (word === "--") {
      for (let j = i + 1; j < args.length; j++) targets.push(j);
      break;
    }
    if (!word.startsWith("-") || word === "-") {
      if (word === "-") return null; // stdin
      targets.push(i);
      continue;
    }
    if (word.startsWith("--") && word.includes("=")) continue;
    if (tool.valueFlags.has(word)) {
      if (i + 1 >= args.length) return null;
      i++;
      continue;
    }
    if (tool.booleanFlags.has(word) || word.startsWith("--no-")) continue;
    return null;
  }
  return targets;
}
