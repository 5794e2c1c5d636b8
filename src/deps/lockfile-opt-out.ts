import { lstatSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseIni } from "ini";
import { parse as parseToml } from "smol-toml";
import { parse as parseYaml } from "yaml";
import type { EcosystemId } from "../ecosystems/registry.ts";

/**
 * Whether the commit turns its package manager's lockfile off on purpose, in the committed config that
 * package manager reads: npm `package-lock=false` (.npmrc), pnpm `lockfile=false` (.npmrc, or
 * `lockfile: false` in pnpm-workspace.yaml), Yarn 1 `--install.no-lockfile true` (.yarnrc; Yarn 2+ has
 * no such setting), Bun `[install.lockfile] save = false` (bunfig.toml). Returns the setting, as a
 * person would recognise it, or null. Files are read as data, never through a link.
 */
export function lockfileOptOut(dir: string, pm: EcosystemId): string | null {
  switch (pm) {
    case "npm":
      return isOff(npmrc(dir)["package-lock"]) ? "package-lock=false in .npmrc" : null;
    case "pnpm":
      if (isOff(npmrc(dir).lockfile)) return "lockfile=false in .npmrc";
      return isOff(record(parseSafely(read(dir, "pnpm-workspace.yaml"), parseYaml)).lockfile) ? "lockfile: false in pnpm-workspace.yaml" : null;
    case "yarn":
      return yarnClassicNoLockfile(read(dir, ".yarnrc")) ? "--install.no-lockfile in .yarnrc" : null;
    case "bun": {
      const install = record(record(parseSafely(read(dir, "bunfig.toml"), parseToml)).install);
      return isOff(record(install.lockfile).save) ? "[install.lockfile] save = false in bunfig.toml" : null;
    }
  }
}

/** `.npmrc` keys as npm reads them (`_` and `-` alike). */
function npmrc(dir: string): Record<string, unknown> {
  const parsed = record(parseSafely(read(dir, ".npmrc"), parseIni));
  return Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key.replaceAll("_", "-").toLowerCase(), value]));
}

/** Yarn 1 takes command-line flags from .yarnrc: `--install.no-lockfile true`, `--*.no-lockfile true` or `--no-lockfile true`. */
function yarnClassicNoLockfile(text: string | null): boolean {
  if (text === null) return false;
  return text.split("\n").some((line) => /^\s*"?--(install\.|\*\.)?no-lockfile"?(\s+"?true"?)?\s*$/.test(line));
}

function read(dir: string, name: string): string | null {
  const path = join(dir, name);
  if (!lstatSync(path, { throwIfNoEntry: false })?.isFile()) return null;
  return readFileSync(path, "utf8");
}

function parseSafely(text: string | null, parse: (text: string) => unknown): unknown {
  if (text === null) return null;
  try {
    return parse(text);
  } catch {
    return null;
  }
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function isOff(value: unknown): boolean {
  return value === false || value === "false";
}
