import type { ImpliedRange } from "../common/api.ts";

/**
 * The pnpm versions a repository without a pin needs, from the format of its pnpm-lock.yaml: the releases
 * that write that format (and install it frozen). 9.0 is written by pnpm 9 and 10.
 */
export function pnpmImpliedRange(read: (path: string) => string | null, lockfile: string | null): ImpliedRange | null {
  const text = lockfile ? read(lockfile) : null;
  const match = text ? /^lockfileVersion:\s*['"]?((\d+)(?:\.(\d+))?)/m.exec(text) : null;
  if (!match) return null;
  const range = rangeFor(Number(match[2]), Number(match[3] ?? 0));
  return range ? { range, why: `${lockfile}'s lockfileVersion ${match[1]}` } : null;
}

function rangeFor(major: number, minor: number): string | null {
  if (major === 9) return ">=9.0.0 <11.0.0";
  if (major === 6) return "8.x";
  if (major === 5 && minor >= 4) return "7.x";
  if (major === 5 && minor === 3) return "6.x";
  if (major === 5) return "5.x";
  return null;
}
