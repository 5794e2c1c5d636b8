import { commandWords, splitCommands } from "./ci/shell-words.ts";
import type { PackageScripts } from "./package-scripts.ts";

/** Where init's checks write their JUnit report: inside the checkout's own `.git`, which no tool lints, formats or commits. */
export function reportPathFor(check: string): string {
  return `.git/pushpals-report-${check.replace(/[^A-Za-z0-9_.-]+/g, "-").slice(0, 64)}.xml`;
}

/** How the runner's package manager passes extra arguments to a script: npm needs `--`, the others pass them on. */
function forwardArgs(run: string, runner: string, args: string): string {
  return runner === "npm" && !/(^|\s)--(\s|$)/.test(run) ? ` -- ${args}` : ` ${args}`;
}

/**
 * A check whose package script runs a test runner with a JUnit reporter built in, with that reporter
 * turned on (no dependency added to the repository): node's test runner through NODE_OPTIONS (its spec
 * output kept on stdout), `bun test` and vitest through their own flags. Anything else, a script that
 * runs more than one command, or one that sets NODE_OPTIONS itself, is left as it is, with no report.
 */
export function withTestReport<C extends { name: string; run: string; script: string | null }>(check: C, scripts: PackageScripts, runner: string): C & { report?: string } {
  // A workspace's check (`cd dir && ...`) runs elsewhere than the report path says.
  if (!check.script || /&&|;|\|/.test(check.run)) return check;
  const commands = splitCommands(scripts.body(check.script));
  if (commands.length !== 1) return check;
  if (commands[0]!.words.some((w) => w.includes("NODE_OPTIONS") || w.includes("reporter"))) return check;
  const words = commandWords(commands[0]!.words);
  const path = reportPathFor(check.name);
  if (words[0] === "node" && words.includes("--test")) {
    return { ...check, run: `NODE_OPTIONS='--test-reporter=spec --test-reporter-destination=stdout --test-reporter=junit --test-reporter-destination=${path}' ${check.run}`, report: path };
  }
  if (words[0] === "bun" && words[1] === "test") return { ...check, run: `${check.run}${forwardArgs(check.run, runner, `--reporter=junit --reporter-outfile=${path}`)}`, report: path };
  if (words[0] === "vitest" && (words.length === 1 || words[1] === "run" || words[1]!.startsWith("-"))) {
    return { ...check, run: `${check.run}${forwardArgs(check.run, runner, `--reporter=default --reporter=junit --outputFile.junit=${path}`)}`, report: path };
  }
  return check;
}
