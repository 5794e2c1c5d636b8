import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { JobFailure } from "../core/job-failure.ts";
import { PACKAGE_JSON } from "../ecosystems/common/package-json.ts";
import { readPackageManagerPin, type PinHash } from "../ecosystems/common/package-manager-pin.ts";
import { getEcosystem, type EcosystemId } from "../ecosystems/registry.ts";

/** The version of its package manager a repository needs: exactly a pinned one, or any of a range. */
export interface Requirement {
  pm: EcosystemId;
  /** An exact version when `exact`, else a semver range. */
  version: string;
  exact: boolean;
  /** The release's hash the pin names (`+sha512.<hex>`): the provisioned tarball must match it. */
  hash: PinHash | null;
  /** Where it comes from, for messages: `packageManager "pnpm@10.2.0" in package.json`. */
  source: string;
}

const Manifest = z.looseObject({
  packageManager: z.string().optional().catch(undefined),
  engines: z.record(z.string(), z.unknown()).optional().catch(undefined),
});

/** Characters of a semver range (`>=9.0.0 <11.0.0`, `^1.22.0 || 2.x`): a range goes into a shell command single-quoted. */
const RANGE = /^[0-9A-Za-z.*^~<>=| -]{1,200}$/;

/**
 * What `pm` must be in the checkout `dir`: package.json's `packageManager` pin (when it names `pm`), else
 * the range its lockfile implies (`Provisioning.impliedRange`), else `engines.<pm>`; null when nothing says.
 * A pin PushPals cannot read is the repository's to fix (invalid_input).
 */
export function packageManagerRequirement(dir: string, pm: EcosystemId, lockfile: string | null): Requirement | null {
  const ecosystem = getEcosystem(pm);
  // npm comes with Node.js: nothing to provision, so nothing to require.
  if (!ecosystem.provision) return null;
  const manifest = readManifest(dir);
  const pinned = pinOf(manifest.packageManager, ecosystem.detect.packageManagerField);
  if (pinned) return { pm, version: pinned.version, exact: true, hash: pinned.hash, source: `packageManager "${shortHash(manifest.packageManager!)}" in package.json` };
  const implied = ecosystem.provision.impliedRange?.((path) => readText(join(dir, path)), lockfile);
  if (implied && RANGE.test(implied.range)) return { pm, version: implied.range, exact: false, hash: null, source: `${implied.range}, from ${implied.why}` };
  const engines = manifest.engines?.[ecosystem.detect.packageManagerField];
  if (typeof engines === "string" && RANGE.test(engines.trim())) return { pm, version: engines.trim(), exact: false, hash: null, source: `engines.${pm} "${engines.trim()}" in package.json` };
  return null;
}

/** True when `range` may go into a provisioning command (see `RANGE`). */
export function isSafeRange(range: string): boolean {
  return RANGE.test(range);
}

/** The field's version when it names `name`; one that names another package manager says nothing about this one. */
function pinOf(field: string | undefined, name: string): { version: string; hash: PinHash | null } | null {
  if (field === undefined || !field.trim().startsWith(`${name}@`)) return null;
  const reading = readPackageManagerPin(field);
  if (!reading) return null;
  if ("invalid" in reading) {
    throw new JobFailure(
      "invalid_input",
      `package.json's "packageManager": "${field}" cannot be provisioned: ${reading.invalid}; write it as "<name>@<x.y.z>" (optionally "+sha512.<hex>", as corepack does)`,
      { notRetryable: "the packageManager field of the commit is malformed" },
    );
  }
  const { pin } = reading;
  return pin.version ? { version: pin.version, hash: pin.hash } : null;
}

/** "pnpm@10.2.0+sha512.95f680eb116c..." : the whole hash is in package.json, messages need only recognize it. */
function shortHash(field: string): string {
  return field.replace(/(\+sha\d+\.[0-9a-f]{12})[0-9a-f]+/, "$1...");
}

function readManifest(dir: string): z.infer<typeof Manifest> {
  try {
    return Manifest.parse(JSON.parse(readFileSync(join(dir, PACKAGE_JSON), "utf8")));
  } catch {
    return {};
  }
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}
