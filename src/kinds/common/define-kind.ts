import type { z } from "zod";
import type { Job } from "../../store/jobs/job-rows.ts";
import type { WriteContext } from "../../jobs/transition.ts";
import type { PrService } from "../../prs/pr-service.ts";
import type { JobContext } from "./job-context.ts";

/** The processes that claim jobs: a WorkerPal, or one of the agents that works through its own kinds. */
export type KindRole = "worker" | "scm" | "review-agent" | "remote-agent";

/** What a kind's server-side effects may use, besides the transaction they run in. */
export interface KindServices {
  prs: PrService;
}

/**
 * One job kind: everything PushPals knows about it, in one place. The job service validates inputs
 * with `input`, the worker runtime of `role` runs `handler` with the parsed input, and the server runs
 * `effects` inside the transaction of each of the kind's transitions (so what a success means, e.g. a
 * PR opened, commits together with the success itself).
 */
export interface KindDefinition<I extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType, Id extends string = string> {
  id: Id;
  /** One line for `pushpals worker --help` (the kinds a WorkerPal runs) and docs. */
  summary: string;
  input: I;
  /** What a successful run returns (stored as the job's result). */
  result: R;
  /**
   * Who may create its jobs: `client` (`POST /jobs`, e.g. the CLI) or only `server`, from its own
   * records (a review of a PR's head, a merge a person asked for by PR number, a publish).
   */
  createdBy: "client" | "server";
  /** Which process runs it; null when nothing claims it yet (it waits `blocked`). */
  role: KindRole | null;
  /** Whether `sandbox.network` may grant its commands the network (a name the config may list). */
  network: boolean;
  handler?: (input: z.output<I>, ctx: JobContext) => Promise<z.input<R>>;
  /**
   * Checks a client's job against the server's records before it is queued (in the enqueue's
   * transaction), and may fix its dedupe key; throws a `PushpalsError` to refuse it.
   */
  admit?: (ctx: WriteContext, input: z.output<I>) => { dedupeKey?: string } | void;
  /** Checks a client's job against the repository (git) before it is queued; throws a `PushpalsError` to refuse it. */
  verify?: (input: z.output<I>, repo: { repoRoot: string }) => Promise<void>;
  /** Server-side effects of a transition of a job of this kind, in that transition's transaction. */
  effects?: (ctx: WriteContext, job: Job, services: KindServices) => void;
}

/** Defines a kind; the type ties the handler's input and result to the schemas. */
export function defineKind<I extends z.ZodType, R extends z.ZodType, Id extends string>(definition: KindDefinition<I, R, Id>): KindDefinition<I, R, Id> {
  return definition;
}
