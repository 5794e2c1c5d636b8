import { existsSync, readdirSync } from "node:fs";

/**
 * The npm package holding the Bun binary for this machine (what the `bun` package's postinstall would
 * pick): `@oven/bun-<os>-<cpu>[-musl]`, its executable at `bin/bun`. The "-baseline" builds for CPUs
 * without AVX2 are not chosen.
 */
export function bunPlatformPackage(platform: string = process.platform, arch: string = process.arch, musl: boolean = isMusl()): string {
  const os = platform === "win32" ? "windows" : platform;
  const cpu = arch === "arm64" ? "aarch64" : arch;
  return `@oven/bun-${os}-${cpu}${musl && os === "linux" ? "-musl" : ""}`;
}

function isMusl(): boolean {
  if (process.platform !== "linux") return false;
  if (existsSync("/etc/alpine-release")) return true;
  try {
    return readdirSync("/lib").some((name) => name.startsWith("ld-musl-"));
  } catch {
    return false;
  }
}
