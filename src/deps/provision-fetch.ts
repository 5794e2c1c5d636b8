import { mkdirSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { JobFailure } from "../core/job-failure.ts";
import type { FailureEvidence } from "../core/failures.ts";
import { EXACT_VERSION } from "../ecosystems/common/package-manager-pin.ts";
import type { EgressDecision } from "../egress/proxy.ts";
import type { CommandReport } from "../sandbox/command-report.ts";
import { runCommand, type RunResult } from "../sandbox/run-command.ts";
import type { CommandSandbox } from "../sandbox/sandbox-for.ts";
import { installSandbox } from "./install-sandbox.ts";
import { isSafeRange } from "./package-manager-requirement.ts";

/** What to fetch: `<npmPackage>@<version>` (exact, or a range the registry resolves), and what asked for it (for messages). */
export interface ReleaseSpec {
  npmPackage: string;
  version: string;
  /** "packageManager \"pnpm@10.2.0\" in package.json" */
  source: string;
}

export interface FetchedRelease {
  version: string;
  tarball: Uint8Array;
  /** The registry's word on the tarball: `dist.integrity` (and `dist.shasum`). */
  dist: { integrity?: string; shasum?: string };
}

/** Fetches a release's tarball into `workDir` (empty, writable); throws JobFailure saying what failed and how to fix it. */
export type FetchRelease = (spec: ReleaseSpec, workDir: string) => Promise<FetchedRelease>;

export interface SandboxFetchOptions {
  /** The checkout's install sandbox: the fetch gets the same grant, for its own scratch dir. */
  sandbox: CommandSandbox;
  signal: AbortSignal;
  timeoutMs: number;
  env?: Record<string, string>;
  log: (stream: "stdout" | "stderr" | "system", line: string) => void;
  recordCommand?: (report: CommandReport) => Promise<void>;
}

const PACKAGE_NAME = /^(?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/;

const PackOutput = z.array(z.looseObject({ id: z.string(), version: z.string(), filename: z.string().regex(/^[\w.@-]+\.tgz$/) })).length(1);
const DistOutput = z.looseObject({ integrity: z.string().optional(), shasum: z.string().optional() });

/**
 * The release fetched by npm inside the install sandbox, through the egress proxy and with the npm config
 * PushPals writes for installs: the same registries, credentials and allowlist as a dependency install
 * (`npm pack` downloads and checks the tarball, `npm view` says the registry's integrity for it). Only the
 * scratch dir is writable; nothing of the commit is read.
 */
export function sandboxFetcher(options: SandboxFetchOptions): FetchRelease {
  return async (spec, workDir) => {
    mkdirSync(workDir, { recursive: true });
    const command = fetchCommand(spec);
    const base = options.sandbox === "off" ? "off" : { ...options.sandbox, writableDir: realpathSync(workDir), readOnlyMounts: [], files: [], egress: null };
    if (base !== "off" && !base.network) {
      throw new JobFailure(
        "environment",
        `${spec.npmPackage}@${spec.version} (${spec.source}) must be fetched from your npm registry once, but dependency installs have no network here (sandbox.install_network = false): set sandbox.install_network = true`,
        { command, notRetryable: "installs have no network on this worker" },
      );
    }
    const log = (line: string) => options.log("system", line);
    const confined = await installSandbox(base, workDir, { packageManager: "npm", allowScripts: false, log });
    log(`$ ${command}    # provisioning ${spec.npmPackage}@${spec.version}`);
    let run: RunResult;
    let denied: EgressDecision[];
    let unreachable: EgressDecision[];
    try {
      run = await runCommand(command, { cwd: workDir, timeoutMs: options.timeoutMs, signal: options.signal, env: { ...options.env, ...confined.env }, onLine: (stream, line) => options.log(stream, line), sandbox: confined.sandbox, tailLines: 60 });
      denied = confined.denied();
      unreachable = confined.unreachable();
    } finally {
      await confined.close();
    }
    await options.recordCommand?.({ command, exitCode: run.exitCode, signal: run.signal, durationMs: run.durationMs }).catch(() => {});
    if (run.exitCode !== 0 || run.timedOut || run.aborted) throw fetchFailure(spec, command, run, denied, unreachable);
    return readFetched(spec, workDir, command);
  };
}

/** Fixed words and the validated spec, single-quoted: nothing else of the repository reaches the shell. */
export function fetchCommand(spec: ReleaseSpec): string {
  if (!PACKAGE_NAME.test(spec.npmPackage) || !(EXACT_VERSION.test(spec.version) || isSafeRange(spec.version))) {
    throw new JobFailure("invalid_input", `"${spec.npmPackage}@${spec.version}" (${spec.source}) is not a package and version PushPals can fetch`, { notRetryable: "the version is malformed" });
  }
  const pack = `npm pack '${spec.npmPackage}@${spec.version}' --json --ignore-scripts --pack-destination . > pack.json`;
  return `${pack} && npm view "$(node -p 'require("./pack.json")[0].id')" dist --json > dist.json`;
}

function readFetched(spec: ReleaseSpec, workDir: string, command: string): FetchedRelease {
  try {
    const [packed] = PackOutput.parse(JSON.parse(readFileSync(join(workDir, "pack.json"), "utf8")));
    const dist = DistOutput.parse(JSON.parse(readFileSync(join(workDir, "dist.json"), "utf8")));
    return { version: packed!.version, tarball: readFileSync(join(workDir, packed!.filename)), dist };
  } catch (err) {
    throw new JobFailure("environment", `npm fetched ${spec.npmPackage}@${spec.version} but did not say what it fetched (${(err as Error).message})`, { command });
  }
}

function fetchFailure(spec: ReleaseSpec, command: string, run: RunResult, denied: EgressDecision[], unreachable: EgressDecision[]): JobFailure {
  const what = `${spec.npmPackage}@${spec.version}`;
  const output = run.tail.join("\n");
  const evidence: FailureEvidence = { command, exitCode: run.exitCode, signal: run.signal, durationMs: run.durationMs, logExcerpt: output.slice(-16_000) };
  const code = /npm (?:ERR!|error) code (E[A-Z0-9]+)/.exec(output)?.[1];
  if (run.aborted) return new JobFailure("cancelled", `stopped while fetching ${what}`, evidence);
  if (run.timedOut) return new JobFailure("timeout", `fetching ${what} from your npm registry ran past the install time limit: check the registry is reachable, or raise install.timeout_seconds`, evidence);
  if (denied.length > 0) {
    const hosts = [...new Set(denied.map((d) => `${d.host}:${d.port}`))].join(", ");
    return new JobFailure("policy_denied", `fetching ${what} tried to reach ${hosts}, which is not a configured package registry: the release must come from a registry of your npm configuration (~/.npmrc or NPM_CONFIG_USERCONFIG)`, evidence);
  }
  if (code === "EINTEGRITY") return new JobFailure("policy_denied", `npm refused ${what}: its tarball does not match the registry's integrity (EINTEGRITY); the registry or something in between served other bytes`, evidence);
  if (code === "ETARGET" || code === "E404") {
    const missing = code === "E404" ? `${spec.npmPackage} is not on your npm registry` : `${what} does not exist on your npm registry`;
    return new JobFailure("environment", `${missing} (${code}); the version comes from ${spec.source}: fix it (\`npm view ${spec.npmPackage} versions\` lists them), or make the package available on your registry`, { ...evidence, notRetryable: `${what} is not on the registry` });
  }
  if (code === "E401" || code === "E403") return new JobFailure("environment", `your npm registry refused ${what} (${code}): check the registry's credentials in your npm config (~/.npmrc or NPM_CONFIG_USERCONFIG)`, evidence);
  if (run.exitCode === 127) return new JobFailure("environment", `npm is not installed on this worker, and PushPals fetches ${what} with it: install Node.js with npm`, evidence);
  const network = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|ENETUNREACH|socket hang up/.exec(output)?.[0];
  if (unreachable.length > 0 || network) {
    const hosts = [...new Set(unreachable.map((d) => `${d.host}:${d.port}`))].join(", ");
    return new JobFailure("environment", `could not reach your npm registry${hosts ? ` (${hosts})` : ""} to fetch ${what}${network ? `: ${network}` : ""}; check the registry in your npm config and the network`, evidence);
  }
  return new JobFailure("environment", `fetching ${what} from your npm registry failed: npm exited ${run.exitCode ?? run.signal}${code ? ` (${code})` : ""}; its last lines are in the evidence`, evidence);
}
