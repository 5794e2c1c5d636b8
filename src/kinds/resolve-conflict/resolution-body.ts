import type { FileResolution, ResolveConflictInput } from "./resolve-conflict-input.ts";

const MARK = "\n\n---\n**Conflicts with ";
const MAX_BODY = 20_000;

/** The PR's body with how its last conflicts were resolved (a later resolution replaces the section). */
export function resolutionBody(body: string, input: ResolveConflictInput, files: readonly FileResolution[]): string {
  const own = body.includes(MARK) ? body.slice(0, body.indexOf(MARK)) : body;
  const lines = files.length === 0 ? ["- no file conflicted: the base merged cleanly (its commits, replayed one by one, did not)"] : files.map((f) => `- \`${f.path.replace(/[`\r\n]/g, "")}\`: ${f.strategy}${f.notes.length ? ` (${f.notes.join("; ").replace(/[\r\n]+/g, " ")})` : ""}`);
  const section = `${MARK}${input.baseBranch} resolved** by merging ${input.baseCommit.slice(0, 12)} into ${input.headSha.slice(0, 12)} (kept under refs/pushpals/kept/):\n\n${lines.join("\n")}`;
  return `${own}${section}`.slice(0, MAX_BODY);
}
