import { stringify } from "smol-toml";
import type { CheckCommand } from "./check-settings.ts";
import { PROPOSED_SECTIONS, type AddItem, type ProposedConfig, type ProposedSection } from "./init-plan.ts";

/**
 * Renders `.pushpals/config.toml` for `pushpals init`. Values go through smol-toml's `stringify`, so
 * strings are always escaped correctly; the comments are ours. The output must parse with
 * `parseConfigText` into exactly the proposal (the tests hold us to it).
 */

const HEADER = [
  "# PushPals configuration for this repository, written by `pushpals init`.",
  "# This file is committed and reviewed like code: change it through a pull request.",
  "# Overrides for this machine only (never committed) go in <git-common-dir>/pushpals/config.local.toml",
  "# (usually .git/pushpals/config.local.toml) or in environment variables PUSHPALS_<SECTION>_<KEY>,",
  "# e.g. PUSHPALS_WORKERS_COUNT=4. `pushpals config` shows every effective value and where it came from.",
];

type ScalarKeys = { [S in ProposedSection]: Exclude<keyof ProposedConfig[S], "commands"> };

const KEY_COMMENTS: { [S in ProposedSection]: Record<ScalarKeys[S], string> } = {
  repo: { base_branch: "The branch checks and pull requests target." },
  workers: { count: "How many WorkerPals `pushpals start` runs; each is a separate process with its own worktree." },
  jobs: {
    lease_seconds: "Seconds a worker may go without a heartbeat before its job is given to another worker.",
    max_attempts: "Attempts before a job fails (only environment, timeout and model errors are retried).",
  },
  checks: { timeout_seconds: "Time limit in seconds for all check commands of one job together." },
  install: {
    package_manager: "How dependencies are installed before checks: npm, pnpm, yarn, bun, auto (follow the lockfile) or none.",
    allow_scripts: "Run install lifecycle scripts (postinstall...)? They run arbitrary code, so off unless you opt in.",
  },
};

const COMMANDS_COMMENT = [
  "# One [[checks.commands]] per check, run in order from the repository root on the exact commit:",
  "# `name` labels it in logs, `run` is a shell command; a non-zero exit fails the job.",
];

const NO_COMMANDS_COMMENT = [
  "# No check command was detected. Add one table per check, for example:",
  "# [[checks.commands]]",
  '# name = "test"',
  '# run = "make test"',
];

/** One TOML value, exactly as smol-toml writes it (quotes, backslashes and control characters escaped). */
export function tomlValue(value: string | number | boolean): string {
  const line = stringify({ v: value });
  return line.slice(line.indexOf("=") + 1).trim();
}

/** The whole file for a repository that has none yet. */
export function renderConfig(proposed: ProposedConfig): string {
  const blocks = PROPOSED_SECTIONS.map((section) => renderSection(section, proposed, proposed.checks.commands));
  return `${HEADER.join("\n")}\n\n${blocks.join("\n\n")}\n`;
}

/**
 * What `init --yes` appends to an existing file: the missing sections in file order, then the missing
 * check commands. Starts with a blank line and the dated comment; ends with a newline.
 */
export function renderAppendix(items: AddItem[], proposed: ProposedConfig, date: string): string {
  const sections = new Set(items.flatMap((i) => (i.kind === "section" ? [i.name] : [])));
  const checks = items.flatMap((i) => (i.kind === "check" ? [{ name: i.name, run: i.run, ...(i.report ? { report: i.report } : {}) }] : []));
  const blocks: string[] = [];
  for (const section of PROPOSED_SECTIONS) {
    if (sections.has(section)) blocks.push(renderSection(section, proposed, section === "checks" ? checks : []));
  }
  if (!sections.has("checks") && checks.length > 0) blocks.push(renderCommands(checks));
  if (blocks.length === 0) return "";
  return `\n# added by pushpals init on ${date}\n${blocks.join("\n\n")}\n`;
}

function renderSection(section: ProposedSection, proposed: ProposedConfig, commands: CheckCommand[]): string {
  const values = proposed[section] as Record<string, string | number | boolean | CheckCommand[]>;
  const comments = KEY_COMMENTS[section] as Record<string, string>;
  const lines = [`[${section}]`];
  for (const [key, comment] of Object.entries(comments)) {
    const value = values[key];
    if (value === undefined || Array.isArray(value)) continue;
    lines.push(`# ${comment}`, `${key} = ${tomlValue(value)}`);
  }
  if (section !== "checks") return lines.join("\n");
  const tail = commands.length > 0 ? renderCommands(commands) : NO_COMMANDS_COMMENT.join("\n");
  return `${lines.join("\n")}\n\n${tail}`;
}

function renderCommands(commands: CheckCommand[]): string {
  const tables = commands.map((c) => `[[checks.commands]]\nname = ${tomlValue(c.name)}\nrun = ${tomlValue(c.run)}${c.report ? `\nreport = ${tomlValue(c.report)}` : ""}`);
  return `${COMMANDS_COMMENT.join("\n")}\n${tables.join("\n\n")}`;
}
