import type { BwrapFeatures } from "./bwrap-args.ts";

export interface BwrapBinary {
  path: string;
  /** e.g. "0.8.0" */
  version: string;
  features: BwrapFeatures;
}

const found = new Map<string, BwrapBinary | null>();

/** bwrap on PATH with what it supports (read from its --help, so older versions still work), or null. */
export function findBwrap(path = process.env.PATH ?? ""): BwrapBinary | null {
  if (found.has(path)) return found.get(path)!;
  const binary = inspect(Bun.which("bwrap", { PATH: path }));
  found.set(path, binary);
  return binary;
}

function inspect(bin: string | null): BwrapBinary | null {
  if (!bin) return null;
  try {
    const version = Bun.spawnSync([bin, "--version"], { stdout: "pipe", stderr: "pipe", timeout: 5_000 });
    const help = Bun.spawnSync([bin, "--help"], { stdout: "pipe", stderr: "pipe", timeout: 5_000 });
    const text = help.stdout.toString() + help.stderr.toString();
    return {
      path: bin,
      version: /(\d+\.\d+(?:\.\d+)?)/.exec(version.stdout.toString())?.[1] ?? "unknown",
      features: { disableUserns: text.includes("--disable-userns"), tmpfsSize: text.includes("--size") },
    };
  } catch {
    return null;
  }
}
