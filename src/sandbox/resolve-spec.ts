import { realpathSync, statSync } from "node:fs";
import { basename, dirname, join, sep } from "node:path";
import type { SandboxSettings } from "./sandbox-settings.ts";
import type { SandboxSpec } from "./sandbox-spec.ts";

/** Homes, per-user runtime dirs (agent and D-Bus sockets), daemon sockets and host keys: never visible to a command. */
const HIDDEN_DIRS = ["/root", "/home", "/run", "/var/run", "/etc/ssh", "/etc/ssl/private"];
const HIDDEN_FILES = ["/etc/shadow", "/etc/gshadow"];

export interface SpecRequest {
  /** The job's worktree: the only writable host directory. */
  writableDir: string;
  network: boolean;
  settings: SandboxSettings;
  env?: Record<string, string>;
  /** More directories to hide, e.g. the repository's main checkout and the runtime directory. */
  hide?: string[];
  /** Directories inside hidden ones to keep readable, e.g. the repository's git directory. */
  reveal?: string[];
}

/**
 * A complete spec for `bwrapArgs`: the built-in hidden places plus the worker's own $HOME, every path
 * resolved to the real one (bwrap mounts on real paths) and dropped when it does not exist here.
 */
export function resolveSandboxSpec(request: SpecRequest): SandboxSpec {
  const writableDir = realpathSync(request.writableDir);
  const home = process.env.HOME;
  const hide = unique([...HIDDEN_DIRS, ...(home ? [home] : []), ...(request.hide ?? [])].map((p) => existing(p, "dir")))
    // The worktree is always whole: a hidden directory inside it would hide part of the job's own files.
    .filter((dir) => !within(dir, writableDir));
  const reveal = unique([...(request.reveal ?? []), ...toolDirs(hide)].map((p) => existing(p, "dir")));
  // /etc/resolv.conf is often a link into /run (systemd-resolved): keep name resolution for granted network.
  const resolver = existing("/etc/resolv.conf", "file");
  if (resolver && resolver !== "/etc/resolv.conf" && hide.some((dir) => within(resolver, dir))) reveal.push(dirname(resolver));
  const { settings } = request;
  return {
    writableDir,
    network: request.network,
    env: request.env ?? {},
    limits: {
      memoryMb: settings.memory_mb,
      cpuSeconds: settings.cpu_seconds,
      maxProcesses: settings.max_processes,
      maxOutputBytes: settings.max_output_mb * 1024 * 1024,
    },
    hide,
    hideFiles: unique(HIDDEN_FILES.map((p) => existing(p, "file"))),
    reveal: unique(reveal),
  };
}

/**
 * PATH directories inside hidden ones (~/.bun/bin, ~/.nvm/.../bin) stay usable, read-only: only the
 * directory itself, or for a Node.js prefix (nvm, volta: `<prefix>/bin` next to `<prefix>/lib/node_modules`)
 * the prefix, so npm's links resolve. Never a whole home, which holds credentials.
 */
function toolDirs(hidden: string[]): string[] {
  const dirs: string[] = [];
  for (const entry of (process.env.PATH ?? "").split(":")) {
    const dir = entry && existing(entry, "dir");
    if (!dir || !hidden.some((h) => within(dir, h)) || hidden.includes(dir)) continue;
    const prefix = dirname(dir);
    const nodePrefix = basename(dir) === "bin" && !hidden.includes(prefix) && existing(join(prefix, "lib", "node_modules"), "dir");
    dirs.push(nodePrefix ? prefix : dir);
  }
  return dirs;
}

function existing(path: string, kind: "dir" | "file"): string | null {
  try {
    const real = realpathSync(path);
    const stat = statSync(real);
    return (kind === "dir" ? stat.isDirectory() : stat.isFile()) ? real : null;
  } catch {
    return null;
  }
}

function unique(paths: (string | null)[]): string[] {
  return [...new Set(paths.filter((p): p is string => p !== null))];
}

/** `path` is `dir` or below it. */
export function within(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}
