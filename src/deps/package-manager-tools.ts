import { mkdirSync, readlinkSync, realpathSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { getEcosystem, type EcosystemId } from "../ecosystems/registry.ts";
import type { CommandReport } from "../sandbox/command-report.ts";
import type { CommandSandbox } from "../sandbox/sandbox-for.ts";
import { SANDBOX_PM_BIN, SANDBOX_PM_DIR, type BoundFile } from "../sandbox/sandbox-spec.ts";
import { choosePackageManager, type Availability, type PackageManagerChoice } from "./package-manager-choice.ts";
import { packageManagerRequirement, type Requirement } from "./package-manager-requirement.ts";
import { listEntries, PACKAGE_MANAGERS_DIR, type ProvisionedEntry } from "./provision-cache.ts";
import { sandboxFetcher } from "./provision-fetch.ts";
import { checkPinHash, provisionRelease } from "./provision.ts";

/** The package manager PushPals provides to a checkout's commands: bound into each sandbox, first on PATH. */
export interface PackageManagerTools {
  /** Bound read-only into every sandbox of the checkout (at `SANDBOX_PM_DIR`, whose `bin` sandboxEnv puts first on PATH). */
  files: BoundFile[];
  /** With `sandbox.mode = "off"`: the host directory to put first on PATH. */
  hostBin: string | null;
  /** For logs and messages ("pnpm 10.2.0, provisioned in ..."); null when the worker's own runs. */
  source: string | null;
}

export const WORKER_TOOLS: PackageManagerTools = { files: [], hostBin: null, source: null };

export interface ProvideOptions {
  /** The fresh checkout. */
  dir: string;
  /** `RuntimePaths.depsCacheDir`: provisioned releases live beside it, in `<runtime>/package-managers`. */
  cacheDir: string;
  sandbox: CommandSandbox;
  signal: AbortSignal;
  timeoutSeconds: number;
  env?: Record<string, string>;
  log: (stream: "stdout" | "stderr" | "system", line: string) => void;
  recordCommand?: (report: CommandReport) => Promise<void>;
}

/**
 * Makes the package manager the checkout needs available (see `choosePackageManager`): PushPals' own Bun,
 * a release provisioned before, one fetched now, or the worker's own. Throws JobFailure when the version
 * needed cannot be had, saying what failed and how to fix it.
 */
export async function providePackageManager(plan: { packageManager: EcosystemId; lockfile: string | null }, options: ProvideOptions): Promise<PackageManagerTools> {
  const pm = plan.packageManager;
  const root = join(dirname(options.cacheDir), PACKAGE_MANAGERS_DIR);
  const requirement = packageManagerRequirement(options.dir, pm, plan.lockfile);
  // The PATH the commands get: the job's own when it sets one.
  const choice = choosePackageManager(pm, requirement, availability(root, pm, options.env?.PATH ?? process.env.PATH));
  if (choice.kind === "none" || choice.kind === "path") return WORKER_TOOLS;
  const tools = await toolsFor(choice, { root, pm, requirement, options });
  options.log("system", `dependencies: ${pm} is ${tools.source}`);
  return tools;
}

async function toolsFor(choice: Exclude<PackageManagerChoice, { kind: "none" | "path" }>, at: { root: string; pm: EcosystemId; requirement: Requirement | null; options: ProvideOptions }): Promise<PackageManagerTools> {
  const { root, pm, requirement, options } = at;
  if (choice.kind === "runtime") return runtimeTools(choice, root, options.sandbox);
  if (choice.kind === "entry") return entryTools(pm, checkPinHash(choice.entry, requirement), options.sandbox);
  // A choice to provision always comes from a requirement (see choosePackageManager).
  const needed = requirement!;
  const log = (line: string) => options.log("system", line);
  log(`dependencies: ${pm} ${choice.version} (${needed.source}) is not provisioned yet: fetching ${choice.npmPackage}@${choice.version} from your npm registry`);
  const fetch = sandboxFetcher({ ...options, timeoutMs: options.timeoutSeconds * 1000 });
  const entry = await provisionRelease({ root, pm, requirement: needed, npmPackage: choice.npmPackage, version: choice.version, fetch, log });
  return entryTools(pm, entry, options.sandbox);
}

/** What is at hand for `pm` on this worker (`path`: where commands look it up), without running anything. */
export function availability(root: string, pm: EcosystemId, path: string | undefined): Availability {
  const runtime = getEcosystem(pm).provision?.isRuntime ? { version: Bun.version, path: realpathSync(process.execPath) } : null;
  return { runtime, entries: listEntries(root, pm), onPath: Bun.which(pm, { PATH: path ?? "" }) };
}

/** Options with the tools added: their files bound into the sandbox, or (sandbox off) their directory first on PATH. */
export function withTools<T extends { sandbox: CommandSandbox; env?: Record<string, string> }>(options: T, tools: PackageManagerTools): T {
  if (options.sandbox !== "off") return { ...options, sandbox: { ...options.sandbox, files: [...options.sandbox.files, ...tools.files] } };
  if (!tools.hostBin) return options;
  const path = options.env?.PATH ?? process.env.PATH;
  return { ...options, env: { ...options.env, PATH: path ? `${tools.hostBin}:${path}` : tools.hostBin } };
}

function entryTools(pm: EcosystemId, entry: ProvisionedEntry, sandbox: CommandSandbox): PackageManagerTools {
  const source = `${pm} ${entry.record.version}, provisioned in ${entry.dir}`;
  if (sandbox === "off") return { files: [], hostBin: join(entry.dir, "bin"), source };
  return { files: [{ source: realpathSync(entry.dir), target: SANDBOX_PM_DIR }], hostBin: null, source };
}

function runtimeTools(runtime: Extract<PackageManagerChoice, { kind: "runtime" }>, root: string, sandbox: CommandSandbox): PackageManagerTools {
  const source = `Bun ${runtime.version}, the one PushPals runs on`;
  if (sandbox !== "off") return { files: [{ source: runtime.path, target: `${SANDBOX_PM_BIN}/bun` }], hostBin: null, source };
  return { files: [], hostBin: runtimeLinkDir(root, runtime.path), source };
}

/** Unconfined, PATH needs a directory with a `bun` in it: a link to PushPals' binary (replaced atomically when it moved). */
function runtimeLinkDir(root: string, binary: string): string {
  const dir = join(root, "bun-runtime", "bin");
  const link = join(dir, "bun");
  mkdirSync(dir, { recursive: true });
  if (readLink(link) === binary) return dir;
  const temp = `${link}.${process.pid}`;
  rmSync(temp, { force: true });
  symlinkSync(binary, temp);
  renameSync(temp, link);
  return dir;
}

function readLink(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}
