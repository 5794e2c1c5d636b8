import { activeEntries } from "../../test-quarantine/apply-quarantine.ts";
import { quarantineAt, type QuarantineAt } from "../../test-quarantine/quarantine-at.ts";
import type { QuarantineLookup } from "./check-report.ts";
import type { JobContext } from "./job-context.ts";

/**
 * The quarantine committed at `commit` (never a worktree's file), read once per checks run and only when
 * a check with a report asks. A file git cannot give, or that does not parse, quarantines nothing (said).
 */
export function quarantineOf(ctx: JobContext, commit: string): QuarantineLookup {
  let file: Promise<QuarantineAt> | null = null;
  return async (check) => {
    file ??= quarantineAt(ctx.paths.repoRoot, commit).then(
      (read) => {
        if (read.problem) ctx.log("system", read.problem);
        return read;
      },
      (err: unknown) => {
        ctx.log("system", `the quarantine at ${commit.slice(0, 12)} could not be read (${err instanceof Error ? err.message : String(err)}): no test is quarantined`);
        const none: QuarantineAt = { entries: [], source: null, problem: "unreadable" };
        return none;
      },
    );
    return new Set(activeEntries(await file, check).map((e) => e.id));
  };
}
