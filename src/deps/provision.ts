import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { PushpalsError } from "../core/errors.ts";
import { JobFailure } from "../core/job-failure.ts";
import type { Provisioning } from "../ecosystems/common/api.ts";
import { getEcosystem, type EcosystemId } from "../ecosystems/registry.ts";
import type { Requirement } from "./package-manager-requirement.ts";
import { commitEntry, entryName, readEntry, stagingDir, type ProvisionedEntry, type ProvisionRecord } from "./provision-cache.ts";
import type { FetchRelease, ReleaseSpec } from "./provision-fetch.ts";
import { digestsOf, extractTarball, matchesPinHash, TarballError, verifyIntegrity } from "./provision-tarball.ts";

export interface ProvisionRequest {
  /** `<runtime>/package-managers`. */
  root: string;
  pm: EcosystemId;
  requirement: Requirement;
  /** The package and the version (exact, or the requirement's range) to fetch. */
  npmPackage: string;
  version: string;
  fetch: FetchRelease;
  log: (line: string) => void;
}

const PackageJson = z.looseObject({ name: z.string(), version: z.string(), bin: z.union([z.string(), z.record(z.string(), z.string())]).optional() });

/**
 * Fetches the release (`request.fetch`), checks the tarball against the registry's integrity and the pin's
 * hash, unpacks it and writes the command that runs it, all in a staging dir, then renames the entry into
 * place. A release that does not match is refused (policy_denied) and nothing is kept.
 */
export async function provisionRelease(request: ProvisionRequest): Promise<ProvisionedEntry> {
  const provision = getEcosystem(request.pm).provision;
  if (!provision) throw new PushpalsError("internal", `${request.pm} has no provisioning (its ecosystem's \`provision\`)`);
  const staging = stagingDir(request.root);
  try {
    const spec: ReleaseSpec = { npmPackage: request.npmPackage, version: request.version, source: request.requirement.source };
    const fetched = await request.fetch(spec, join(staging, "fetch"));
    // A range can resolve to a version another job provisioned meanwhile.
    const existing = readEntry(request.root, request.pm, fetched.version);
    if (existing) return checkPinHash(existing, request.requirement);
    const what = `${request.npmPackage}@${fetched.version}`;
    const built = join(staging, "entry");
    const record = refusingMismatches(what, () => unpack(built, request, provision, fetched));
    writeFileSync(join(built, "provision.json"), `${JSON.stringify(record, null, 2)}\n`);
    const outcome = commitEntry(built, request.root, entryName(request.pm, record.version));
    const entry = readEntry(request.root, request.pm, record.version);
    if (!entry) throw new JobFailure("environment", `${what} was provisioned into ${request.root} but its entry is not complete there (removed meanwhile?)`);
    request.log(`dependencies: provisioned ${request.pm} ${record.version} (${what}, ${record.integrity.slice(0, 20)}...) in ${entry.dir}${outcome === "raced" ? "; another job provisioned it first" : ""}`);
    return checkPinHash(entry, request.requirement);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** A provisioned entry serves a pin with a hash only when that hash is its tarball's (or, for Yarn 2+'s corepack pins, its script's). */
export function checkPinHash(entry: ProvisionedEntry, requirement: Requirement | null): ProvisionedEntry {
  const hash = requirement?.hash;
  if (!hash) return entry;
  const { digests, entryDigests, package: pkg, version } = entry.record;
  if (digests[hash.algorithm] === hash.hex || entryDigests[hash.algorithm] === hash.hex) return entry;
  throw new JobFailure(
    "policy_denied",
    `${pkg}@${version} from your npm registry is not the release ${requirement.source} names: its ${hash.algorithm} is ${digests[hash.algorithm]}, the pin's is ${hash.hex}. ` +
      `The registry serves other bytes than the pin was made from: fix the pin (corepack writes it), or check the registry (${entry.dir} was provisioned from it)`,
    { notRetryable: "the release does not match the packageManager hash" },
  );
}

function unpack(built: string, request: ProvisionRequest, provision: Provisioning, fetched: Awaited<ReturnType<FetchRelease>>): ProvisionRecord {
  const what = `${request.npmPackage}@${fetched.version}`;
  verifyIntegrity(fetched.tarball, fetched.dist, what);
  const packageDir = join(built, "package");
  extractTarball(fetched.tarball, packageDir);
  const manifest = PackageJson.safeParse(readJson(join(packageDir, "package.json")));
  if (!manifest.success || manifest.data.name !== request.npmPackage || manifest.data.version !== fetched.version) {
    throw new TarballError(`the tarball fetched as ${what} is not that package (its package.json says ${manifest.success ? `${manifest.data.name}@${manifest.data.version}` : "nothing readable"})`, "format");
  }
  const entry = entryFile(provision, manifest.data, what);
  if (!existsSync(join(packageDir, entry))) throw new TarballError(`${what} has no ${entry}`, "format");
  const entryBytes = readFileSync(join(packageDir, entry));
  if (request.requirement.hash && !matchesPinHash(request.requirement.hash, [fetched.tarball, entryBytes])) {
    throw new TarballError(`${what}'s tarball does not match the ${request.requirement.hash.algorithm} hash of ${request.requirement.source}`, "pin_hash");
  }
  if ("executable" in provision.entry) chmodSync(join(packageDir, entry), 0o755);
  writeShim(join(built, "bin", request.pm), provision, entry);
  return {
    format: 1,
    pm: request.pm,
    package: request.npmPackage,
    version: fetched.version,
    integrity: fetched.dist.integrity ?? `sha1:${fetched.dist.shasum}`,
    digests: digestsOf(fetched.tarball),
    entryDigests: digestsOf(entryBytes),
    entry,
    createdAt: new Date().toISOString(),
  };
}

/**
 * `bin/<pm>`, found through PATH: it runs the release beside it (`$0` is the path PATH gave), so the same
 * entry works bound into the sandbox and, with the sandbox off, where it is on the host.
 */
function writeShim(path: string, provision: Provisioning, entry: string): void {
  const target = `"\${0%/*}/../package/${entry}"`;
  const run = "nodeBin" in provision.entry ? `exec node ${target} "$@"` : `exec ${target} "$@"`;
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, `#!/bin/sh\n# Provisioned by PushPals.\n${run}\n`, { mode: 0o755 });
}

/** The file that runs the release: its package.json `bin` for a Node.js script, a fixed path for a native one. */
function entryFile(provision: Provisioning, manifest: z.infer<typeof PackageJson>, what: string): string {
  const raw = "executable" in provision.entry ? provision.entry.executable : typeof manifest.bin === "string" ? manifest.bin : manifest.bin?.[provision.entry.nodeBin];
  const rel = raw?.replace(/^\.\//, "");
  if (!rel || !/^[\w.@/-]+$/.test(rel) || rel.split("/").some((p) => p === ".." || p === "" || p === ".")) {
    throw new TarballError(`${what}'s package.json names no usable command${raw ? ` ("${raw}")` : ""}`, "format");
  }
  return rel;
}

/** A tarball that does not match what vouches for it is refused; one that cannot be unpacked is the machine's (or the registry's) problem. */
function refusingMismatches<T>(what: string, build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (!(err instanceof TarballError)) throw err;
    if (err.reason === "format") throw new JobFailure("environment", `${what} could not be provisioned: ${err.message}`, { notRetryable: "the release cannot be unpacked" });
    throw new JobFailure("policy_denied", `${what} was refused: ${err.message}; nothing of it was kept or run`, { notRetryable: "the release does not match what vouches for it" });
  }
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return null;
  }
}
