import { z } from "zod";
import { BenchmarkSettings, DEFAULT_BENCHMARK_SETTINGS } from "./benchmark-settings.ts";
import { CheckCommand, PackageManagerSetting } from "./check-settings.ts";
import { DEFAULT_SANDBOX_SETTINGS, SandboxSettings } from "../sandbox/sandbox-settings.ts";
import { DEFAULT_GITHUB_CONFIG, GithubConfig } from "../providers/github/github-settings.ts";
import { PROVIDER_IDS } from "../providers/registry.ts";
import { DEFAULT_DEPENDENCY_STEWARD, DependencySteward } from "./dependency-steward-settings.ts";
import { DEFAULT_MODELS_SETTINGS, MODELS_TABLES_MERGED_BY_KEY, ModelsLayer, ModelsSettings } from "../models/models-settings.ts";

/**
 * `.pushpals/config.toml`, committed and reviewed like code. Keys are snake_case in the file.
 * Each section is strict: an unknown or misspelt key is an error that names it, never silently ignored.
 */
const Server = z.strictObject({
  // Only loopback: the control plane is local by design (see docs/architecture.md).
  host: z.literal("127.0.0.1", { error: 'must be "127.0.0.1": the PushPals server only listens on loopback' }),
  port: z.number().int().min(0).max(65535),
  max_body_bytes: z.number().int().min(1024).max(64 * 1024 * 1024),
  /** Concurrent event and log streams; past it a new one gets 429 (also kept under a quarter of the open-file limit). */
  max_streams: z.number().int().min(1).max(4096),
  /** A request must arrive completely within it, and a keep-alive connection idle this long is closed. */
  request_timeout_seconds: z.number().int().min(2).max(120),
  /**
   * The OS group whose members may approve and reject through the people's socket
   * (`<git-common-dir>/pushpals-people/people.sock`); null: no socket for other users at all.
   */
  people_group: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/, "must be a group name").nullable(),
});

const Jobs = z.strictObject({
  lease_seconds: z.number().positive().max(3600),
  max_attempts: z.number().int().min(1).max(20),
  max_log_lines: z.number().int().min(100).max(1_000_000),
});

const Checks = z.strictObject({
  timeout_seconds: z.number().int().positive().max(24 * 3600),
  commands: z.array(CheckCommand).max(32),
  /** A quarantined test (`.pushpals/quarantine.toml`) that passes this many runs in a row gets an un-quarantine PR. */
  unquarantine_after_passes: z.number().int().min(1).max(10_000),
});

const Repo = z.strictObject({
  /** The branch checks and PRs target; null means the branch checked out when PushPals starts. */
  base_branch: z.string().min(1).max(255).regex(/^[^\s~^:?*[\\]+$/, "must be a branch name").nullable(),
});

const Workers = z.strictObject({
  count: z.number().int().min(1).max(32),
});

/** What the RemoteAgent may do on its own: dispatch at all, and how much at once and per hour over every specialist. */
const RemoteAgent = z.strictObject({
  /** false: plan only (`pushpals plan` still ranks); nothing is dispatched. */
  dispatch: z.boolean(),
  max_in_flight: z.number().int().min(1).max(64),
  dispatches_per_hour: z.number().int().min(1).max(10_000),
  dispatches_per_day: z.number().int().min(1).max(100_000),
  /** After this many failed tasks in a row (of one specialist, or of all), dispatch waits `cooldown_minutes`. */
  cooldown_after_failures: z.number().int().min(1).max(100),
  cooldown_minutes: z.number().int().min(0).max(10_080),
  /** A task running longer is cancelled, and its item stops blocked on a question. */
  item_wall_time_minutes: z.number().int().min(1).max(10_080),
  /** Run the checks on every new head of the base branch, so a red check becomes a failing-build item. */
  check_base: z.boolean(),
  /** Also run them on a schedule, every so many seconds, though the head did not move (0: only on new heads). */
  check_base_every_seconds: z.number().int().min(0).max(7 * 86_400),
  /**
   * With `pr.provider = "github"` and `github.issue_labels`, the RemoteAgent asks the
   * SourceControlManager to list the labelled open issues this often (0: never).
   */
  scan_issues_every_seconds: z.number().int().min(0).max(7 * 86_400),
  /** A specialist's own limits, by id, over what it declares (`pushpals specialists` lists them). */
  specialists: z.record(
    z.string().regex(/^[a-z][a-z0-9-]*$/),
    z.strictObject({ concurrent: z.number().int().min(1).max(64).optional(), dispatches_per_hour: z.number().int().min(1).max(10_000).optional(), dispatches_per_day: z.number().int().min(1).max(100_000).optional() }),
  ),
});
export type RemoteAgentSettings = z.infer<typeof RemoteAgent>;

const Install = z.strictObject({
  /** "auto" follows the lockfile; "none" skips dependency preparation. */
  package_manager: PackageManagerSetting,
  /** Lifecycle scripts (postinstall...) run arbitrary code: off unless the repository opts in. */
  allow_scripts: z.boolean(),
  timeout_seconds: z.number().int().positive().max(3600),
  /** The dependency cache's size limit on this machine: least recently used entries not in use are evicted past it. */
  cache_max_mb: z.number().int().min(1).max(1024 * 1024),
});

/**
 * How job commands are confined (bubblewrap); see src/sandbox/sandbox-settings.ts for each key. The
 * sandbox takes plain names for `network`; that each one is a known job kind is checked where the kind
 * registry is in view (`assertConfigKinds` in src/kinds/registry.ts: every process's config, preflight).
 */
const Sandbox = SandboxSettings;

/** Where PRs live: `local` (the PushPals database, no account needed) or `github`. */
const Pr = z.strictObject({
  provider: z.enum(PROVIDER_IDS),
});

/** The `github` provider's settings; `repository` is required once `pr.provider = "github"`. */
const Github = GithubConfig;

/**
 * A layer's `[github]`: only the keys that layer sets. The section's own defaults apply once, under
 * every layer (DEFAULT_CONFIG); filled in per layer, a local `repository` would reset the committed
 * `issue_labels` or `api_url` to their defaults.
 */
const GithubLayer = z.strictObject(withoutDefaults(Github.shape)).partial();

type WithoutDefaults<T extends z.ZodRawShape> = { [K in keyof T]: T[K] extends z.ZodDefault<infer Inner> ? Inner : T[K] };

function withoutDefaults<T extends z.ZodRawShape>(shape: T): WithoutDefaults<T> {
  return Object.fromEntries(Object.entries(shape).map(([key, schema]) => [key, schema instanceof z.ZodDefault ? schema.unwrap() : schema])) as WithoutDefaults<T>;
}

export const SECTIONS = { server: Server, jobs: Jobs, checks: Checks, repo: Repo, workers: Workers, remote_agent: RemoteAgent, install: Install, sandbox: Sandbox, pr: Pr, github: Github, dependency_steward: DependencySteward, models: ModelsSettings, benchmarks: BenchmarkSettings } as const;
export type SectionName = keyof typeof SECTIONS;

export const PushpalsConfig = z.strictObject(SECTIONS);
export type PushpalsConfig = z.infer<typeof PushpalsConfig>;

/** One layer (the committed file, the local override, env, flags): any subset of the keys. */
export const ConfigLayer = z.strictObject({
  server: Server.partial().optional(),
  jobs: Jobs.partial().optional(),
  checks: Checks.partial().optional(),
  repo: Repo.partial().optional(),
  workers: Workers.partial().optional(),
  remote_agent: RemoteAgent.partial().optional(),
  install: Install.partial().optional(),
  sandbox: Sandbox.partial().optional(),
  pr: Pr.partial().optional(),
  github: GithubLayer.optional(),
  /** `schedule` and `package_rules` are replaced whole by a higher layer, like any other key. */
  dependency_steward: DependencySteward.partial().optional(),
  /** The model backend (src/models/models-settings.ts); `[models.prices]` and `[models.budget]` merge key by key. */
  models: ModelsLayer.optional(),
  benchmarks: BenchmarkSettings.partial().optional(),
});
export type ConfigLayer = z.infer<typeof ConfigLayer>;

export const DEFAULT_CONFIG: PushpalsConfig = {
  server: { host: "127.0.0.1", port: 0, max_body_bytes: 1024 * 1024, max_streams: 256, request_timeout_seconds: 30, people_group: null },
  jobs: { lease_seconds: 30, max_attempts: 3, max_log_lines: 20_000 },
  checks: { timeout_seconds: 900, commands: [], unquarantine_after_passes: 20 },
  repo: { base_branch: null },
  workers: { count: 2 },
  remote_agent: {
    dispatch: true,
    max_in_flight: 4,
    dispatches_per_hour: 30,
    dispatches_per_day: 200,
    cooldown_after_failures: 3,
    cooldown_minutes: 30,
    item_wall_time_minutes: 60,
    check_base: true,
    check_base_every_seconds: 0,
    scan_issues_every_seconds: 300,
    specialists: {},
  },
  install: { package_manager: "auto", allow_scripts: false, timeout_seconds: 600, cache_max_mb: 5120 },
  sandbox: structuredClone(DEFAULT_SANDBOX_SETTINGS),
  pr: { provider: PROVIDER_IDS[0] },
  github: structuredClone(DEFAULT_GITHUB_CONFIG),
  dependency_steward: structuredClone(DEFAULT_DEPENDENCY_STEWARD),
  models: structuredClone(DEFAULT_MODELS_SETTINGS),
  benchmarks: structuredClone(DEFAULT_BENCHMARK_SETTINGS),
};

/**
 * Tables inside a section whose keys a higher layer sets one by one (`section.table`), like a section's
 * own keys; every other table value (`dependency_steward.schedule`, `remote_agent.specialists`) is
 * replaced whole. Their keys are also settable as PUSHPALS_<SECTION>_<TABLE>_<KEY>.
 */
export const TABLES_MERGED_BY_KEY: ReadonlySet<string> = new Set(MODELS_TABLES_MERGED_BY_KEY.map((table) => `models.${table}`));
