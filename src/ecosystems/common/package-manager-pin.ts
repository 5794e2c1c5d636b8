/** The hash algorithms corepack writes after a `packageManager` version ("+sha512.<hex>"), with their hex lengths. */
export const PIN_HASH_ALGORITHMS = { sha1: 40, sha224: 56, sha256: 64, sha384: 96, sha512: 128 } as const;
export type PinHashAlgorithm = keyof typeof PIN_HASH_ALGORITHMS;

export interface PinHash {
  algorithm: PinHashAlgorithm;
  hex: string;
}

/** package.json's `packageManager` ("pnpm@10.2.0+sha512.<hex>"): the package manager, its exact version, the release's hash. */
export interface PackageManagerPin {
  name: string;
  /** null for a bare name ("pnpm"): it says which package manager, not which version. */
  version: string | null;
  hash: PinHash | null;
}

export type PinReading = { pin: PackageManagerPin } | { invalid: string };

const NAME = /^(?:@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*$/;
/** An exact semver version: what corepack accepts, and the only thing a pin can mean. */
export const EXACT_VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/** Reads the field; null when there is none. A value that is not `name[@x.y.z[+<algorithm>.<hex>]]` is `invalid`, with why. */
export function readPackageManagerPin(field: string | undefined): PinReading | null {
  const text = field?.trim() ?? "";
  if (text === "") return null;
  const at = text.lastIndexOf("@");
  if (at <= 0) return NAME.test(text) ? { pin: { name: text, version: null, hash: null } } : { invalid: "it is not a package name" };
  const name = text.slice(0, at);
  if (!NAME.test(name)) return { invalid: `"${name}" is not a package name` };
  const [version = "", ...rest] = text.slice(at + 1).split("+");
  if (!EXACT_VERSION.test(version)) return { invalid: `"${version}" is not an exact version (x.y.z)` };
  if (rest.length === 0) return { pin: { name, version, hash: null } };
  const hash = readHash(rest.join("+"));
  return hash ? { pin: { name, version, hash } } : { invalid: `"+${rest.join("+")}" is not a hash (+sha512.<hex>, or sha1, sha224, sha256, sha384)` };
}

function readHash(text: string): PinHash | null {
  const match = /^(sha1|sha224|sha256|sha384|sha512)\.([0-9a-f]+)$/.exec(text);
  if (!match) return null;
  const algorithm = match[1] as PinHashAlgorithm;
  const hex = match[2]!;
  return hex.length === PIN_HASH_ALGORITHMS[algorithm] ? { algorithm, hex } : null;
}
