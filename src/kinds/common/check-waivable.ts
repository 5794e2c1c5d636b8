import { commandWords, splitCommands } from "../../config/ci/shell-words.ts";
import { git } from "../../scm/git.ts";

const MAX_PACKAGE_JSON = 1024 * 1024;

/**
 * Why a failed check cannot be waived by its quarantined tests, or null when it can: only a check that is one
 * command (and, when that command runs a package script, a script that is one command with no pre- or post-
 * script) stops where its test runner stops. In `bun test && tsc`, a quarantined test failing means tsc never
 * ran: waiving that check would pass a type error nobody saw. Read from the commit's package.json through git.
 */
export async function whyNotWaivable(repoRoot: string, commit: string, run: string): Promise<string | null> {
  const single = singleCommand(run);
  if (!single) return "it runs more than one command, so a failing test may have kept the others from running";
  const script = scriptOf(single);
  if (script === null) return null;
  const scripts = await scriptsAt(repoRoot, commit);
  const body = scripts?.[script];
  if (typeof body !== "string") return `it runs the package script "${script}", which the commit's package.json does not define`;
  if (typeof scripts![`pre${script}`] === "string" || typeof scripts![`post${script}`] === "string") return `the package script "${script}" has a pre- or post-script`;
  const inner = singleCommand(body);
  if (!inner) return `the package script "${script}" runs more than one command`;
  if (scriptOf(inner) !== null) return `the package script "${script}" runs another package script`;
  return null;
}

function singleCommand(text: string): string[] | null {
  const commands = splitCommands(text);
  return commands.length === 1 ? commandWords(commands[0]!.words) : null;
}

const NPM_RUN = new Set(["run", "run-script", "rum", "urn"]);
const NPM_TEST = new Set(["test", "t", "tst"]);
const PNPM_OWN = new Set(["install", "i", "add", "remove", "update", "exec", "dlx", "why", "list", "ls", "outdated", "audit", "store", "config"]);

/** The package script a command runs through its package manager, or null when it runs a program directly. */
function scriptOf(words: string[]): string | null {
  const [pm, first, second] = words;
  if (pm === "npm") return first && NPM_TEST.has(first) ? "test" : first && NPM_RUN.has(first) ? (second ?? "") : null;
  if (pm === "pnpm" || pm === "yarn") return first === "run" ? (second ?? "") : first && !first.startsWith("-") && !PNPM_OWN.has(first) ? first : null;
  if (pm === "bun") return first === "run" ? (second ?? "") : null;
  return null;
}

async function scriptsAt(repoRoot: string, commit: string): Promise<Record<string, unknown> | null> {
  const r = await git(["cat-file", "blob", `${commit}:package.json`], { cwd: repoRoot, allowFailure: true });
  if (r.exitCode !== 0 || r.stdout.length > MAX_PACKAGE_JSON) return null;
  try {
    const pkg = JSON.parse(r.stdout) as { scripts?: unknown };
    return pkg.scripts && typeof pkg.scripts === "object" ? (pkg.scripts as Record<string, unknown>) : {};
  } catch {
    return null;
  }
}
