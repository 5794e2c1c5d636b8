import type { RiskTier } from "../../core/risk-tier.ts";

const MAX_LISTED = 50;
const MAX_EXCERPT = 4000;

export interface CiFixSummary {
  check: { name: string; run: string };
  baseBranch: string;
  baseCommit: string;
  fixer: string;
  why: string;
  /** The files the failure named. */
  files: readonly string[];
  changed: readonly string[];
  outside: readonly string[];
  risk: RiskTier;
  failureExcerpt: string;
  exitCode: number | null;
}

/** `Fix lint with npm run lint:fix`. */
export function ciFixTitle(check: string, fixer: string): string {
  const title = `Fix ${check} with ${fixer}`;
  return title.length <= 200 ? title : `${title.slice(0, 199)}…`;
}

/** The PR's body: the fixer, the files, why its tier, the failure it fixes, how to undo it. */
export function ciFixBody(s: CiFixSummary): string {
  const short = s.baseCommit.slice(0, 12);
  const exit = s.exitCode === 0 || s.exitCode === null ? "" : ` (it exited ${s.exitCode}: what it could not fix is left; the check below decides)`;
  const own: RiskTier = s.files.length > 0 && s.outside.length === 0 ? "low" : "medium";
  const tierWhy =
    s.files.length === 0
      ? `the failure's output named no file, so no list bounds what the fixer may change (it changed ${s.changed.length})`
      : s.outside.length === 0
        ? `the fixer changed only files the failure named (${s.changed.length} of ${s.files.length})`
        : `the fixer also changed ${s.outside.length} file(s) the failure did not name:\n${list(s.outside)}`;
  const tier = `${s.risk[0]!.toUpperCase()}${s.risk.slice(1)}`;
  return [
    `${s.check.name} (\`${s.check.run}\`) fails on ${s.baseBranch} at ${short}. This is what the repository's own fixer changes, run in the sandbox on that commit.`,
    `Fixer: \`${s.fixer}\`, ${s.why}${exit}.`,
    s.files.length > 0 ? `Files the failure named (${s.files.length}):\n${list(s.files)}` : "The failure named no files.",
    `Risk: ${tier}${s.risk === own ? "" : ` (the least tier it was asked to have; on its own it is ${own})`}: ${tierWhy}${s.outside.length > 0 && s.files.length > 0 ? "" : "."}`,
    `${s.check.name} was run again on the exact commit of this change before the PR opened, with the other configured checks.`,
    ...(s.failureExcerpt.trim() ? [`The failure before the fix:\n\n${fenced(s.failureExcerpt.length > MAX_EXCERPT ? `…${s.failureExcerpt.slice(-MAX_EXCERPT)}` : s.failureExcerpt)}`] : []),
    `To undo: close this PR (nothing has landed); once merged, \`pushpals revert\` with this PR's number opens the PR that takes it back out.`,
  ].join("\n\n");
}

function list(paths: readonly string[]): string {
  const shown = paths.slice(0, MAX_LISTED).map((p) => `- \`${p.replaceAll("`", "'")}\``);
  return [...shown, ...(paths.length > MAX_LISTED ? [`- … and ${paths.length - MAX_LISTED} more`] : [])].join("\n");
}

/** A fenced block the text cannot close: the fence is longer than any run of backticks in it. */
function fenced(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}text\n${text.replace(/\n+$/, "")}\n${fence}`;
}
