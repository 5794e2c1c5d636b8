import type { z } from "zod";
import { PushpalsError } from "../core/errors.ts";
import { checksKind } from "./checks/index.ts";
import type { KindDefinition, KindRole } from "./common/define-kind.ts";
import type { WriteContext } from "../jobs/transition.ts";
import { dependencyUpdateKind } from "./dependency-update/index.ts";
import { depsScanKind } from "./deps-scan/index.ts";
import { directiveKind } from "./directive/index.ts";
import { issuesScanKind } from "./issues-scan/index.ts";
import { mergeKind } from "./merge/index.ts";
import { publishKind } from "./publish/index.ts";
import { reviewKind } from "./review/index.ts";
import { noopKind } from "./noop/index.ts";
import { runKind } from "./run/index.ts";
import { revertKind } from "./revert/index.ts";
import { resolveConflictKind } from "./resolve-conflict/index.ts";
import { triageKind } from "./triage/index.ts";
import { quarantineKind } from "./quarantine/index.ts";
import { lockfileSyncKind } from "./lockfile-sync/index.ts";
import { agentRunKind } from "./agent-run/index.ts";
import { planDirectiveKind } from "./plan-directive/index.ts";
import { ciFixKind } from "./ci-fix/index.ts";
import { bisectKind } from "./bisect/index.ts";
import { securityAuditKind } from "./security-audit/index.ts";

/** Every job kind. Adding one is its folder plus one line here (see docs/adding-a-job-kind.md). */
export const KINDS = [checksKind, directiveKind, runKind, mergeKind, publishKind, reviewKind, noopKind, revertKind, issuesScanKind, triageKind, bisectKind, depsScanKind, dependencyUpdateKind, resolveConflictKind, ciFixKind, quarantineKind, lockfileSyncKind, agentRunKind, planDirectiveKind, securityAuditKind] as const;

export type JobKind = (typeof KINDS)[number]["id"];
export const JOB_KIND_IDS: JobKind[] = KINDS.map((k) => k.id);

// The registry's elements differ in their schema types; callers outside a kind see them uniformly.
const BY_ID = new Map<string, KindDefinition>(KINDS.map((k) => [k.id, k as unknown as KindDefinition]));

export function kindById(kind: string): KindDefinition | undefined {
  return BY_ID.get(kind);
}

/** The kinds a process of `role` runs (those with a handler), by id. */
export function kindsForRole(role: KindRole): KindDefinition[] {
  return [...BY_ID.values()].filter((k) => k.role === role && k.handler !== undefined).sort((a, b) => a.id.localeCompare(b.id));
}

/** A client's job, checked by its kind against the server's records (see `KindDefinition.admit`). */
export function admitClientJob(ctx: WriteContext, kind: string, input: unknown): { dedupeKey?: string } {
  const definition = BY_ID.get(kind);
  if (!definition?.admit) return {};
  return definition.admit(ctx, definition.input.parse(input ?? {})) ?? {};
}

/** A client's job, checked by its kind against the repository (see `KindDefinition.verify`). */
export async function verifyClientJob(kind: string, input: unknown, repoRoot: string | null): Promise<void> {
  const definition = BY_ID.get(kind);
  if (!definition?.verify) return;
  if (!repoRoot) throw new PushpalsError("internal", "the server does not know its repository", {});
  await definition.verify(definition.input.parse(input ?? {}), { repoRoot });
}

/**
 * Dedupe keys the server gives its own jobs, and the one a kind fixes for its own (`issues-scan`,
 * set by its `admit`): a client cannot take one first and so pre-empt them.
 */
const SERVER_DEDUPE_PREFIXES = ["review:", "merge:", "publish:", "rfc:", "task:", "revert:", "issues-scan", "deps-scan", "bisect:", "ci-fix:", "quarantine:", "lockfile-sync:", "agent-run:", "plan-directive:"];

export function assertClientDedupeKey(key: string | null | undefined): void {
  if (!key || !SERVER_DEDUPE_PREFIXES.some((p) => key.startsWith(p))) return;
  throw new PushpalsError("forbidden", `dedupeKey: "${key.slice(0, 80)}" is reserved for the server's own jobs (${SERVER_DEDUPE_PREFIXES.join(", ")})`, {
    field: "dedupeKey",
    hint: "choose a key without those prefixes",
  });
}

/** How a person gets the server-owned kinds that do not simply follow from a PR. */
const HOW_TO_ASK: Record<string, string> = {
  merge: "ask for a merge by PR number: pushpals pr merge <n>",
  revert: "ask for a revert of a merged PR by its number: pushpals revert <n>",
  triage: "the RemoteAgent's dispatch (the CI Medic) queues a triage for a failing check; to run the checks yourself: pushpals check --ref <branch>",
  quarantine: "the CI Medic's dispatch quarantines a flaky test with its triage's evidence, as a PR a person approves",
  "lockfile-sync": "the CI Medic's dispatch regenerates a lockfile the frozen install of a failing build refuses",
  "agent-run": "a directive (`pushpals ask`) becomes one, with a model configured ([models])",
  "plan-directive": "a directive without a write scope (`pushpals ask \"...\"`, no --scope) is planned into tasks by one, with a model configured ([models])",
  "ci-fix": "the RemoteAgent's dispatch (the CI Medic) queues a ci-fix for a failing lint or format check; to run a fixer yourself: pushpals run --scope <glob> -- <fixer>",
  "security-audit": "file a security audit of the base branch's head: pushpals security --audit (the Security Sentinel's dispatch runs it)",
  bisect: "the CI Medic queues a bisect of a check that a triage found broken; to search by hand: git bisect run <the check's command>",
};

/** A client (`POST /jobs`) may create jobs of this kind: the server-owned kinds are refused, naming who creates them. */
export function assertClientKind(kind: string): void {
  const definition = BY_ID.get(kind);
  if (!definition || definition.createdBy === "client") return;
  throw new PushpalsError("forbidden", `a client cannot create a ${kind} job: the server creates them from its own records`, {
    field: "kind",
    hint: HOW_TO_ASK[kind] ?? `${kind} jobs follow from a PR (opening or updating it queues them)`,
  });
}

/** Validates a job input against its kind's schema; errors name the offending field. */
export function parseJobInput(kind: string, input: unknown): unknown {
  const definition = BY_ID.get(kind);
  if (!definition) {
    throw new PushpalsError("invalid_input", `unknown job kind "${kind}"`, {
      field: "kind",
      hint: `known kinds: ${JOB_KIND_IDS.join(", ")}`,
    });
  }
  const parsed = definition.input.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const { field, message } = describeIssue("input", parsed.error);
  throw new PushpalsError("invalid_input", message, { field });
}

/** `input.sleepMs: Too small: ...`: the first issue of a schema's refusal, named by its path under `root`. */
export function describeIssue(root: string, error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  const field = [root, ...(issue?.path ?? [])].join(".");
  return { field, message: `${field}: ${issue?.message ?? "invalid"}` };
}

/**
 * Config and policy name kinds as plain names (`sandbox.network`, `[network] kinds`); this says which
 * of them no kind has, or names a kind whose commands never get the network (its `network` is false). Checked where the registry is in view: every process's config (`cliContext`),
 * preflight (PP004) and `pushpals policy check`.
 */
export function unknownKindError(names: readonly string[], key: string, where: string): PushpalsError | null {
  const index = names.findIndex((n) => !BY_ID.get(n)?.network);
  if (index < 0) return null;
  const name = names[index]!;
  const why = BY_ID.has(name) ? `the ${name} kind's commands never get the network` : `no job kind is called ${JSON.stringify(name)}`;
  return new PushpalsError("config_invalid", `${where}: ${key}[${index}]: ${why}`, {
    field: `${key}[${index}]`,
    hint: `set ${key} to job kinds among ${NETWORK_KIND_IDS.map((k) => JSON.stringify(k)).join(", ")}`,
  });
}

/** The kinds whose commands `sandbox.network` may grant the network. */
const NETWORK_KIND_IDS = KINDS.filter((k) => k.network).map((k) => k.id);

/** Refuses an effective config whose `sandbox.network` names no job kind, naming where that value came from. */
export function assertConfigKinds(effective: { config: { sandbox: { network: readonly string[] } }; sources: Record<string, string> }): void {
  const err = unknownKindError(effective.config.sandbox.network, "sandbox.network", effective.sources["sandbox.network"] ?? "config");
  if (err) throw err;
}
