import { z } from "zod";
import { ID_PATTERN } from "../core/ids.ts";
import { Sha } from "../core/sha.ts";
import { MAX_TEST_ID } from "../test-results/test-outcome.ts";

export { QUARANTINE_FILE } from "./quarantine-path.ts";

/** The longest an entry may count: its expiry is at most this many days after it was added. */
export const MAX_QUARANTINE_DAYS = 90;
/** Entries one file may hold: a quarantine is a short list of exceptions, never a way to switch a suite off. */
export const MAX_QUARANTINE_ENTRIES = 200;
export const MAX_EVIDENCE_COMMITS = 20;

/** Who wrote an entry (`pushpals:ci-medic`, `os:alice`): never who approved it, which only the PR records. */
export const REQUESTED_BY_PATTERN = /^[a-z0-9][a-z0-9:._@-]{0,63}$/i;

// Characters TOML cannot hold unescaped, and halves of a surrogate pair: refused so every entry writes back as it reads.
const CONTROL = /[\u0000-\u001f\u007f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const Text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => !CONTROL.test(s) && !LONE_SURROGATE.test(s), "must be one line of text (no control characters)");

/**
 * One test's id exactly as the test results spell it (src/test-results/test-outcome.ts: `file > describe
 * path > name`). Matched by string equality only: never a pattern, so a `*` is refused (it reads as one).
 */
export const QuarantineTestId = Text(MAX_TEST_ID).refine((s) => !s.includes("*"), "must be one exact test id (file > describe > name), never a pattern: no `*`");
export type QuarantineTestId = z.infer<typeof QuarantineTestId>;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date, `YYYY-MM-DD` (quoted, or a TOML local date). */
export const IsoDate = z.preprocess((value) => (isLocalDate(value) ? value.toISOString() : value), z.string().refine((s) => dayStart(s) !== null, "must be a date written YYYY-MM-DD"));

/** smol-toml's TomlDate for a bare date (`2025-01-10`): its ISO string is the date alone. */
function isLocalDate(value: unknown): value is Date {
  const isDate = (value as { isDate?: unknown } | null)?.isDate;
  return value instanceof Date && typeof isDate === "function" && isDate.call(value) === true;
}

/** Milliseconds at 00:00 UTC of a `YYYY-MM-DD` date; null when it is not a real date. */
export function dayStart(date: string): number | null {
  const m = ISO_DATE.exec(date);
  if (!m) return null;
  const at = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(at).toISOString().slice(0, 10) === date ? at : null;
}

const DAY_MS = 86_400_000;

/**
 * One `[[test]]` entry of `.pushpals/quarantine.toml`: the test, the check it runs in, and the evidence that
 * it is flaky (`runs` of the check, `failures` among them, a flakiness `score`, the `commits` it failed on,
 * the `triage_job` that reran it).
 *
 * Who approved it: nobody named in the file. PushPals writes the entry (`requested_by`) before any person
 * has looked at it; `approval = "pr"` says the approval is the PR's: the entry lands only through a PR that a
 * person approved (their approval of the exact head, in the PR record and the hash-chained audit log;
 * the policy makes a change to this file Medium and never auto-merged, and the ReviewAgent's quarantine
 * reviewer refuses an entry without evidence or one the PR's quarantine job did not declare). A name in
 * the file would be a claim anyone could write; the audit log's is not.
 *
 * It counts from `added` until `expires` (00:00 UTC of that date), at most MAX_QUARANTINE_DAYS later.
 */
export const QuarantineEntry = z
  .strictObject({
    id: QuarantineTestId,
    /** The check's name in `.pushpals/config.toml` ([[checks.commands]] name): the entry waives failures of this check only. */
    check: Text(64),
    reason: Text(500),
    score: z.number().min(0).max(1),
    runs: z.number().int().min(1).max(100_000),
    failures: z.number().int().min(0).max(100_000),
    commits: z.array(Sha).min(1, "must name at least one commit the test failed on").max(MAX_EVIDENCE_COMMITS),
    triage_job: z.string().regex(ID_PATTERN, "must be a job id"),
    added: IsoDate,
    expires: IsoDate,
    requested_by: z.string().regex(REQUESTED_BY_PATTERN, "must be who wrote the entry, e.g. pushpals:ci-medic"),
    approval: z.literal("pr"),
  })
  .superRefine((e, ctx) => {
    if (e.failures > e.runs) ctx.addIssue({ code: "custom", path: ["failures"], message: `must be at most runs (${e.runs})` });
    if (new Set(e.commits).size !== e.commits.length) ctx.addIssue({ code: "custom", path: ["commits"], message: "names a commit twice" });
    const added = dayStart(e.added);
    const expires = dayStart(e.expires);
    if (added === null || expires === null) return;
    if (expires <= added) ctx.addIssue({ code: "custom", path: ["expires"], message: `must be after added (${e.added})` });
    else if (expires - added > MAX_QUARANTINE_DAYS * DAY_MS) ctx.addIssue({ code: "custom", path: ["expires"], message: `must be at most ${MAX_QUARANTINE_DAYS} days after added (${e.added})` });
  });
export type QuarantineEntry = z.infer<typeof QuarantineEntry>;

/** The file's entries, in file order. */
export interface QuarantineFile {
  entries: QuarantineEntry[];
}

/** The latest expiry an entry added on `added` may have. */
export function latestExpiry(added: string): string {
  const at = dayStart(added);
  if (at === null) throw new RangeError(`not a date: ${added}`);
  return new Date(at + MAX_QUARANTINE_DAYS * DAY_MS).toISOString().slice(0, 10);
}

/** The UTC date of a moment, `YYYY-MM-DD`. */
export function isoDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}
