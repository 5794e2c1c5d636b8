import type { DirectiveInput } from "./directive-input.ts";
import { git } from "../../scm/git.ts";

const DELIMITER = "PUSHPALS_RFC_END";

/** The only paths an RFC change writes. */
export const RFC_SCOPE = ["docs/rfcs/**"];

/** What an RFC needs from the repository: its number after the RFCs at the base. */
export interface RfcPrep {
  number: string;
  baseBranch: string;
  baseCommit: string;
}

export async function rfcPrep(repoRoot: string, baseBranch: string, baseCommit: string): Promise<RfcPrep> {
  const listed = await git(["ls-tree", "--name-only", `${baseCommit}:docs/rfcs`], { cwd: repoRoot, allowFailure: true });
  const taken = listed.exitCode === 0 ? listed.stdout.split("\n").map((n) => Number(n.slice(0, 4))).filter(Number.isFinite) : [];
  return { number: String(Math.max(0, ...taken) + 1).padStart(4, "0"), baseBranch, baseCommit };
}

/**
 * The `run` job that writes a High directive's RFC, `docs/rfcs/NNNN-<slug>.md`, as its own PR: a
 * deterministic document from the directive's own fields (no model needed), for people to complete,
 * approve and merge before any code for it is written. Built by the server only (a client cannot
 * create an RFC change); like every run, its checks are the config committed at the base.
 */
export function rfcRunInput(prep: RfcPrep, directiveId: string, directive: DirectiveInput) {
  const { number, baseBranch, baseCommit } = prep;
  const slug = directive.goal.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 48) || "change";
  const path = `docs/rfcs/${number}-${slug}.md`;
  const text = rfcText(number, directiveId, directive).split("\n").filter((line) => line !== DELIMITER).join("\n");
  return {
    title: `RFC ${number}: ${directive.goal.slice(0, 150)}`,
    body: `The RFC for High-risk directive ${directiveId}. Complete it, approve it (pushpals approve), merge it; then carry it out with \`pushpals run --rfc <this PR>\`.`,
    command: `mkdir -p docs/rfcs && cat > ${path} <<'${DELIMITER}'\n${text}\n${DELIMITER}`,
    scope: RFC_SCOPE,
    risk: "medium" as const,
    baseBranch,
    baseCommit,
    rfcFor: directiveId,
  };
}

function rfcText(number: string, directiveId: string, d: DirectiveInput): string {
  const section = (title: string, body: string | null) => `## ${title}\n\n${body?.trim() || "_To be written._"}\n`;
  return [
    `# RFC ${number}: ${d.goal.split("\n")[0]}`,
    "",
    `- Status: proposed (approve and merge this PR to accept it)`,
    `- Directive: ${directiveId}`,
    `- Risk tier: High`,
    `- Write scope: ${d.scope.length ? d.scope.map((s) => `\`${s}\``).join(", ") : "_to be decided_"}`,
    "",
    section("Goal", d.goal),
    section("Constraints", d.constraints),
    section("Definition of done", d.done),
    section("Proposed change", null),
    section("Risks and rollback plan", null),
    section("Migration notes", null),
  ].join("\n");
}
