import { z } from "zod";
import { QuarantineEntry, QuarantineTestId } from "../test-quarantine/quarantine-entry.ts";

/** A triage job an entry names, as the server has it. */
export const TriageFact = z.object({
  kind: z.string(),
  state: z.string(),
  /** Its check's name and the commit it reran, from its input; null when it is not a triage. */
  check: z.string().nullable(),
  commit: z.string().nullable(),
});
export type TriageFact = z.infer<typeof TriageFact>;

/**
 * What the quarantine reviewer knows beyond the diff, gathered by the review job from the server's
 * records (never from the PR's text, which anyone writes): the quarantine the PR's own job declared,
 * and the triage jobs its entries name.
 */
export const QuarantineFacts = z.object({
  /**
   * The `quarantine` job that made the PR (a kind only the server creates), with the entries it was asked
   * to add and the ids to remove; null when the PR was made by any other job (a hand-made run, a fixer).
   */
  declared: z
    .object({
      jobId: z.string(),
      add: z.array(QuarantineEntry),
      remove: z.array(QuarantineTestId),
    })
    .nullable(),
  /** By job id, each triage job an added or changed entry names; null: the server has no such job. */
  triage: z.record(z.string(), TriageFact.nullable()),
  /** When the review ran (ms since the epoch). */
  now: z.number().int(),
});
export type QuarantineFacts = z.infer<typeof QuarantineFacts>;
