/**
 * What each metric means, in one place: `pushpals metrics --help`, the Prometheus `# HELP` lines and
 * the code that computes them (see the files named) all say the same thing. Every metric is computed
 * from the stored history only: jobs and their transitions, PRs, the audit log, and the model exchanges.
 *
 * The window (`--since 7d`, `?since=7d`) selects jobs created in it, PRs opened in it (PRs approved in
 * it for the approved-to-merged conversion) and supervisor runs started in it; with none, all history.
 * Time from install to the first PR ignores it.
 */

/** A stretch of `blocked` longer than this makes a job stuck (queue-metrics.ts). */
export const STUCK_BLOCKED_MS = 60 * 60 * 1000;
/** A job with more counted attempts than this is a retry storm (queue-metrics.ts). */
export const RETRY_STORM_ATTEMPTS = 2;
/** A PR with at least this many heads (the opening one and a fix commit) needed rework (pr-metrics.ts). */
export const REWORK_HEADS = 2;

/** The Conflict Resolver's strategies that resolve a file on their own (resolve-conflict-input.ts; `unresolved` goes to a person). */
export const CONFLICT_STRATEGIES = ["lockfile", "json", "changelog", "rerere", "structured", "model"] as const;
export type ConflictStrategy = (typeof CONFLICT_STRATEGIES)[number];

/** Who is a person in the history: the server records people as `os:<user>` (identity/os-users.ts), components by role. */
export function isPerson(actor: string): boolean {
  return actor.startsWith("os:");
}

export const DEFINITIONS = {
  installToFirstPr:
    "seconds from the first `server.started` audit entry (the first time a PushPals server ran on this repository; `pushpals init` writes only files) to the first `pr.opened` entry; all history, whatever the window",
  timeToOnline:
    "seconds from `pushpals start` beginning to \"all systems online\" (every component reported ready), from the `supervisor.online` audit entry each run records: the newest run, and the median of the runs in the window",
  autonomousMerge:
    "of the PRs opened in the window that merged, the share whose every commit came from a PushPals job: each head recorded by `pr.opened`/`pr.updated` names a job that succeeded with exactly that head, the heads form one unbroken chain ending at the PR's head, and the merge job merged that head",
  rework: `of the PRs opened in the window, the share that needed rework: ${REWORK_HEADS} or more heads (a \`run --pr\` job added a fix commit after it opened; a merge of the base that resolved conflicts does not count)`,
  approvedToMerged:
    "of the PRs a person approved in the window (at least one `pushpals approve` given then, whenever the PR opened and whichever head it was for), the share that merged",
  jobSuccess:
    "per kind, of the jobs created in the window that finished (succeeded, failed or cancelled), the share that succeeded with no intervention: one counted attempt (never retried, never requeued after a lost lease; a graceful release gives its attempt back), no cancel request, and no state change made by a person after it was created (unblock, cancel)",
  queueWait:
    "median seconds a job waited in the queue: from the last time it entered `queued` to its first `running`, over the jobs created in the window that started (pause time counts as waiting; blocked time does not)",
  stuck: `of the jobs created in the window, the share that got stuck: the server took their lease back (it expired, or their worker died: a transition out of \`running\` by \`server\`), they are running now on an expired lease, or they stayed \`blocked\` longer than ${STUCK_BLOCKED_MS / 60_000} min in one stretch (still blocked counts up to now)`,
  retryStorm: `of the jobs created in the window, the share with more than ${RETRY_STORM_ATTEMPTS} counted attempts`,
  conflictsResolved: `files the Conflict Resolver resolved automatically, per strategy (${CONFLICT_STRATEGIES.join(", ")}), over the \`resolve-conflict\` jobs created in the window that succeeded with a new head for their PR; the automatic share is those jobs over them plus the manual interventions`,
  manualInterventions:
    "`resolve-conflict` jobs created in the window that succeeded with a file no strategy resolves: nothing moved, and their `pr_conflict` item went to a person (escalation `ambiguous`) with the hunks",
  modelUsage:
    "per UTC day, the tokens (input and output) and the cost in US dollars (as the worker priced them from `[models.prices]`) of the model exchanges recorded in the window, every job's; the exchanges and the jobs with one; kept 90 days",
} as const;

/** The definitions as `pushpals metrics --help` prints them. */
export function definitionsHelp(): string {
  const rows: [string, string][] = [
    ["install to first PR", DEFINITIONS.installToFirstPr],
    ["time to online", DEFINITIONS.timeToOnline],
    ["autonomous merge rate", DEFINITIONS.autonomousMerge],
    ["rework rate", DEFINITIONS.rework],
    ["approved-to-merged conversion", DEFINITIONS.approvedToMerged],
    ["job success rate", DEFINITIONS.jobSuccess],
    ["queue wait", DEFINITIONS.queueWait],
    ["stuck-job rate", DEFINITIONS.stuck],
    ["retry-storm rate", DEFINITIONS.retryStorm],
    ["conflicts resolved automatically", DEFINITIONS.conflictsResolved],
    ["manual interventions", DEFINITIONS.manualInterventions],
    ["model tokens and cost per day", DEFINITIONS.modelUsage],
  ];
  return rows.map(([name, text]) => wrap(`${name}: ${text}.`, 100, "  ", "      ")).join("\n");
}

function wrap(text: string, width: number, first: string, rest: string): string {
  const lines: string[] = [];
  let line = first;
  for (const word of text.split(" ")) {
    const indent = lines.length === 0 ? first : rest;
    if (line.length > indent.length && line.length + 1 + word.length > width) {
      lines.push(line);
      line = rest + word;
    } else {
      line = line.length > indent.length ? `${line} ${word}` : line + word;
    }
  }
  return [...lines, line].join("\n");
}
