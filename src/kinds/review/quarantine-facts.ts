import { routes } from "../../api/routes.ts";
import { isPushpalsError } from "../../core/errors.ts";
import type { DiffFile } from "../../review/diff-types.ts";
import type { QuarantineFacts, TriageFact } from "../../review/quarantine-facts.ts";
import { quarantineChange } from "../../review/reviewers/quarantine-reviewer.ts";
import type { JobContext } from "../common/job-context.ts";
import { QuarantineInput } from "../quarantine/quarantine-input.ts";

/**
 * What the quarantine reviewer needs from the server's records when the diff touches the quarantine:
 * the job that made the PR (a `quarantine` job's input is the declaration; only the server creates one)
 * and each triage job an added entry names. Null when the diff does not touch it. A job the server does
 * not have is null (a block); any other failure to ask fails the review, to be retried, never a verdict.
 */
export async function quarantineFacts(ctx: JobContext, prNumber: number, files: readonly DiffFile[]): Promise<QuarantineFacts | null> {
  const change = quarantineChange(files);
  if (!change) return null;
  const job = async (id: string) => {
    try {
      return (await ctx.read(routes.getJob, { params: { id } })).job;
    } catch (err) {
      if (isPushpalsError(err, "not_found") || isPushpalsError(err, "invalid_input")) return null;
      throw err;
    }
  };
  const { pr } = await ctx.read(routes.getPr, { params: { number: prNumber } });
  const maker = await job(pr.jobId);
  const asked = maker?.kind === "quarantine" ? QuarantineInput.safeParse(maker.input) : null;
  const declared = maker && asked?.success ? { jobId: maker.id, add: asked.data.add, remove: asked.data.remove.map((r) => r.id) } : null;
  const triage: Record<string, TriageFact | null> = {};
  for (const id of new Set(change.added.map((e) => e.triage_job))) {
    const found = await job(id);
    const input = (found?.input ?? {}) as { commit?: unknown; check?: { name?: unknown } };
    triage[id] = found
      ? { kind: found.kind, state: found.state, check: found.kind === "triage" && typeof input.check?.name === "string" ? input.check.name : null, commit: found.kind === "triage" && typeof input.commit === "string" ? input.commit : null }
      : null;
  }
  return { declared, triage, now: Date.now() };
}
