import { checkProgram, installHint, missingProgramFix } from "../../config/check-program.ts";

/** What a failed check command left behind, as far as telling its cause goes. */
export interface FailedCheck {
  name: string;
  run: string;
  exitCode: number | null;
  /** Its last lines of output (stdout and stderr). */
  output: string[];
  /** Whether `sandbox.network` let checks reach the network. */
  networkGranted: boolean;
}

/** A failure the code under test caused, or one this machine or its sandbox caused (with the fix). */
export type CheckFailureVerdict = { failureClass: "checks_failed" } | { failureClass: "environment"; message: string };

const CODE_FAILURE: CheckFailureVerdict = { failureClass: "checks_failed" };

/** A shell saying it could not find a program: dash, bash, env. */
const NOT_FOUND = [
  /^(?:\S*\/)?(?:sh|bash|dash|zsh|ksh|ash)(?:: line \d+|: \d+)?: ([^\s:]+): (?:command )?not found\s*$/,
  /^env: '?([^\s:']+)'?: No such file or directory\s*$/,
];

/** Output lines that only a cut-off network produces (name resolution, unreachable networks). */
const NETWORK = [
  /getaddrinfo (?:EAI_AGAIN|ENOTFOUND|EAI_NONAME|EAI_FAIL) \S+/,
  /Could not resolve host: \S+/,
  /Temporary failure in name resolution/,
  /Name or service not known/,
  /\bdial tcp: lookup \S+/,
  /\bnetwork is unreachable\b/i,
  /\bconnect (?:ENETUNREACH|EHOSTUNREACH) \S+/,
  /java\.net\.UnknownHostException: \S+/,
  /TypeError: fetch failed/,
];
const REFUSED = /\bconnect ECONNREFUSED (\[?[0-9A-Fa-f:.]+\]?):\d+/;
const LOCAL_ADDRESS = /^(\[?::1\]?|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[?::\]?|localhost)$/;

/** Output lines of a browser that is not there or cannot start. */
const BROWSER_MISSING = [
  /Executable doesn't exist at \S+/,
  /Could not find (?:Chrome|Chromium|Firefox|expected browser)\b.*/,
  /Cypress (?:binary is missing|failed to start|could not verify that this server is running)|No version of Cypress is installed/,
  /Host system is missing dependencies to run browsers/,
  /Failed to launch the browser process/,
];
const BROWSER_SANDBOX = /No usable sandbox!/;

/**
 * Why a check command failed: `environment` only when its output clearly shows this machine or the
 * sandbox is the cause (a missing program, a network the sandbox cut, a browser that is not there);
 * anything else, a test failure that prints a URL included, stays `checks_failed`.
 */
export function classifyCheckFailure(check: FailedCheck): CheckFailureVerdict {
  return missingProgram(check) ?? missingBrowser(check) ?? cutNetwork(check) ?? CODE_FAILURE;
}

function missingProgram(check: FailedCheck): CheckFailureVerdict | null {
  const own = checkProgram(check.run);
  const named = check.output.map((line) => firstMatch(NOT_FOUND, line)).find((m): m is RegExpExecArray => m !== null)?.[1];
  // Exit 127 is the shell's "command not found"; without it, only a message about the check's own program counts.
  if (check.exitCode === 126) return notExecutable(check, own);
  if (check.exitCode !== 127 && (named === undefined || named !== own)) return null;
  const program = named ?? own;
  if (!program) return environment(check, `a program \`${check.run}\` runs was not found (exit 127, command not found)`, `install it on this machine, or remove the check "${check.name}" from .pushpals/config.toml`);
  const exit = check.exitCode === 127 ? "exit 127, command not found" : "command not found";
  if (program === own) {
    return environment(check, `\`${program}\` is not installed on this machine (${exit})`, missingProgramFix(program, [check.name]));
  }
  const fix = installHint(program) ?? `install ${program} on this machine, or make it a dependency of the repository (in package.json and its lockfile) so the install provides it`;
  return environment(check, `\`${program}\`, which \`${check.run}\` runs, was not found (${exit})`, fix);
}

/** Exit 126 with the shell's "Permission denied" for the check's own program: a file that is not executable. */
function notExecutable(check: FailedCheck, own: string | null): CheckFailureVerdict | null {
  if (!own || !check.output.some((line) => line.includes(`${own}: Permission denied`))) return null;
  const fix = own.includes("/") ? `make it executable and commit that (chmod +x ${own}; git update-index --chmod=+x ${own}), or run it with sh` : missingProgramFix(own, [check.name]);
  return environment(check, `\`${own}\` is not executable (exit 126, permission denied)`, fix);
}

function missingBrowser(check: FailedCheck): CheckFailureVerdict | null {
  const sandboxed = findLine(check.output, [BROWSER_SANDBOX]);
  if (sandboxed) {
    return environment(check, `the browser's own sandbox cannot start inside PushPals' sandbox ("${sandboxed}")`, "launch the browser with --no-sandbox in these tests (PushPals' sandbox confines it), or remove the check from .pushpals/config.toml");
  }
  const missing = findLine(check.output, BROWSER_MISSING);
  if (!missing) return null;
  return environment(
    check,
    `it needs a browser that is not installed where the sandbox can see it ("${missing}")`,
    "install the browser outside your home directory (the sandbox's HOME is empty) and point the check at it in its command (PLAYWRIGHT_BROWSERS_PATH=..., PUPPETEER_EXECUTABLE_PATH=... or CYPRESS_CACHE_FOLDER=...), or remove the check from .pushpals/config.toml",
  );
}

function cutNetwork(check: FailedCheck): CheckFailureVerdict | null {
  // With the network granted, a failed connection is the test's own business.
  if (check.networkGranted) return null;
  const line = findLine(check.output, NETWORK) ?? refusedRemote(check.output);
  if (!line) return null;
  return environment(
    check,
    `it tried to reach the network ("${line}"), and checks run without one`,
    'give checks the network with sandbox.network = ["checks"] in .pushpals/config.toml (or add "checks" to the list), or make the check work offline',
  );
}

/** `connect ECONNREFUSED 10.0.0.7:443`: refused by another host; refused on the loopback is the test's own server. */
function refusedRemote(output: string[]): string | null {
  for (const line of output) {
    const match = REFUSED.exec(line);
    if (match && !LOCAL_ADDRESS.test(match[1]!)) return match[0];
  }
  return null;
}

function environment(check: FailedCheck, reason: string, fix: string): CheckFailureVerdict {
  return { failureClass: "environment", message: `${check.name} could not run here: ${reason}; fix: ${fix}` };
}

function firstMatch(patterns: RegExp[], line: string): RegExpExecArray | null {
  for (const pattern of patterns) {
    const match = pattern.exec(line);
    if (match) return match;
  }
  return null;
}

/** The matching part of the first output line that matches, cut to a readable length. */
function findLine(output: string[], patterns: RegExp[]): string | null {
  for (const line of output) {
    const match = firstMatch(patterns, line);
    if (match) return match[0].slice(0, 200);
  }
  return null;
}
