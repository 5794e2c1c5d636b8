import { z } from "zod";
import { RiskTier } from "../../core/risk-tier.ts";
import { Sha } from "../../core/sha.ts";
import { CI_MEDIC_ROLE } from "../../policy/policy-defaults.ts";
import { PrProposal } from "../../prs/pr-types.ts";
import { QUARANTINE_FILE, QuarantineEntry, QuarantineTestId } from "../../test-quarantine/quarantine-entry.ts";

/** Entries one PR adds or removes at most: a person reads each one's evidence. */
export const MAX_QUARANTINE_CHANGES = 20;

/** One test to un-quarantine, with the evidence that it is stable again. */
export const Unquarantine = z.strictObject({
  id: QuarantineTestId,
  /** Passes in a row of its check since it was quarantined (the configured number the CI Medic waits for). */
  passes: z.number().int().min(1).max(100_000),
  /** What else a person should know (the commits it passed on, ...): shown in the PR, never run. */
  note: z.string().max(2000).default(""),
});
export type Unquarantine = z.infer<typeof Unquarantine>;

/**
 * `quarantine`: add flaky tests to `.pushpals/quarantine.toml` (each with its full evidence) or take them
 * off it, as one PR made on `baseCommit` of `baseBranch`. Built by the server only (the CI Medic's
 * dispatch): the ReviewAgent accepts exactly these entries, from exactly this job, and a person approves.
 */
export const QuarantineInput = z
  .strictObject({
    baseBranch: z.string().min(1).max(255).regex(/^[^\s~^:?*[\\]+$/, "must be a branch name"),
    baseCommit: Sha,
    add: z.array(QuarantineEntry).max(MAX_QUARANTINE_CHANGES).default([]),
    remove: z.array(Unquarantine).max(MAX_QUARANTINE_CHANGES).default([]),
    /** The policy role the change is judged as (its [roles] scope holds the quarantine file). */
    role: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, "must be a snake_case role name").default(CI_MEDIC_ROLE),
    /** At least Medium: the classifier makes any quarantine change Medium whatever is declared. */
    risk: RiskTier.default("medium"),
    /** The write scope: the quarantine file and nothing else (the PR record takes it from here). */
    scope: z.tuple([z.literal(QUARANTINE_FILE)]).default([QUARANTINE_FILE]),
    /** The merged RFC PR a High quarantine (its file protected by name) carries out. */
    rfc: z.number().int().positive().nullable().default(null),
  })
  .superRefine((input, ctx) => {
    if (input.add.length + input.remove.length === 0) ctx.addIssue({ code: "custom", path: ["add"], message: "names no test to quarantine or un-quarantine" });
    const seen = new Set<string>();
    for (const [list, ids] of [["add", input.add.map((e) => e.id)], ["remove", input.remove.map((r) => r.id)]] as const) {
      ids.forEach((id, i) => {
        if (seen.has(id)) ctx.addIssue({ code: "custom", path: [list, i, "id"], message: "names a test already named in this job" });
        seen.add(id);
      });
    }
  });
export type QuarantineInput = z.infer<typeof QuarantineInput>;

export const QuarantineResult = z.object({ pr: PrProposal });
export type QuarantineResult = z.input<typeof QuarantineResult>;
