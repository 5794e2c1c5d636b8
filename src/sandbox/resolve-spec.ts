import { lstatSync, readdirSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, join, sep } from "node:path";
import type { SandboxSettings } from "./sandbox-settings.ts";
import type { BoundFile, ReadOnlyMount, SandboxEgress, SandboxSpec } from "./sandbox-spec.ts";

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
  /** More files to hide (replaced by an unreadable one), e.g. the model key's file. */
  hideFiles?: string[];
  /** Directories inside hidden ones to keep readable. */
  reveal?: string[];
  /** Read-only views inside the worktree (cached dependencies). */
  mounts?: ReadOnlyMount[];
  /** With `network` false: reach out through the host's egress proxy. */
  egress?: SandboxEgress;
  files?: BoundFile[];
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
    egress: request.egress && !request.network ? { ...request.egress, socketPath: realpathSync(request.egress.socketPath), runtime: realpathSync(request.egress.runtime), forwarder: realpathSync(request.egress.forwarder) } : null,
    env: request.env ?? {},
    limits: {
      memoryMb: settings.memory_mb,
      cpuSeconds: settings.cpu_seconds,
      maxProcesses: settings.max_processes,
      maxOutputBytes: settings.max_output_mb * 1024 * 1024,
    },
    hide,
    // A file under a hidden directory is hidden with it (and has no mount point there), unless a revealed directory shows it.
    hideFiles: unique([...HIDDEN_FILES, ...(request.hideFiles ?? [])].map((p) => existing(p, "file"))).filter(
      (file) => !hide.some((dir) => within(file, dir)) || reveal.some((dir) => within(file, dir)),
    ),
    reveal: unique(reveal),
    readOnlyMounts: (request.mounts ?? []).map((m) => ({ ...m, source: realpathSync(m.source) })),
    files: (request.files ?? []).map((f) => ({ ...f, source: realpathSync(f.source) })),
  };
}

/** Version managers whose whole directory holds toolchains, never credentials (unlike ~/.cargo or ~/.local). */
const TOOLCHAIN_ROOTS = new Set([".nvm", ".volta", ".bun", ".deno", ".pyenv", ".rbenv", ".asdf", ".nodenv", ".goenv"]);

/**
 * PATH directories inside hidden ones stay usable, read-only: a version manager's whole directory
 * (~/.nvm, ~/.pyenv: shims need the rest of it), a Node.js prefix (`<prefix>/bin` next to
 * `<prefix>/lib/node_modules`, so npm's links resolve), otherwise only the directory itself (~/.cargo/bin,
 * ~/.local/bin: their parents hold credentials). Never a whole home.
 */
function toolDirs(hidden: string[]): string[] {
  const dirs: string[] = [];
  const reveal = (dir: string) => {
    // The innermost hidden directory holding it (~/ rather than /home).
    const home = hidden.filter((h) => within(dir, h)).sort((a, b) => b.length - a.length)[0];
    if (!home) return;
    dirs.push(toolchainRoot(dir, home) ?? nodePrefix(dir, hidden) ?? toolRoot(dir) ?? dir);
    const rustup = rustupHome(dir);
    if (rustup) dirs.push(rustup);
  };
  for (const entry of (process.env.PATH ?? "").split(":")) {
    const dir = entry && existing(entry, "dir");
    if (!dir || hidden.includes(dir)) continue;
    reveal(dir);
    // A visible PATH directory may link to tools inside a hidden one (/usr/local/bin/node -> /work/node/bin/node).
    for (const target of linkedToolDirs(dir)) if (hidden.some((h) => within(target, h))) reveal(target);
  }
  return dirs;
}

const linkedCache = new Map<string, string[]>();

/** The real directories that the symlinks in `dir` point into (read once per process and directory). */
function linkedToolDirs(dir: string): string[] {
  const cached = linkedCache.get(dir);
  if (cached) return cached;
  const found = new Set<string>();
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {}
  for (const name of names) {
    try {
      if (!lstatSync(join(dir, name)).isSymbolicLink()) continue;
      const real = realpathSync(join(dir, name));
      found.add(statSync(real).isDirectory() ? real : dirname(real));
    } catch {}
  }
  const list = [...found];
  linkedCache.set(dir, list);
  return list;
}

function toolchainRoot(dir: string, home: string): string | null {
  for (let cur = dir; cur !== home && within(cur, home); cur = dirname(cur)) {
    if (TOOLCHAIN_ROOTS.has(basename(cur))) return cur;
  }
  return null;
}

/**
 * A `bin` that works only with its siblings and sits beside no credentials: a Python virtualenv
 * (`pyvenv.cfg` beside it: `lib/site-packages`) or a Go root (`pkg/tool`).
 */
function toolRoot(dir: string): string | null {
  if (basename(dir) !== "bin") return null;
  const root = dirname(dir);
  if (existing(join(root, "pyvenv.cfg"), "file") || existing(join(root, "pkg", "tool"), "dir")) return root;
  return null;
}

/** `~/.cargo/bin` holds rustup's proxies, which run the toolchains in `~/.rustup` (no credentials there; they stay in ~/.cargo). */
function rustupHome(dir: string): string | null {
  if (basename(dir) !== "bin" || basename(dirname(dir)) !== ".cargo") return null;
  return existing(join(dirname(dirname(dir)), ".rustup"), "dir");
}

function nodePrefix(dir: string, hidden: string[]): string | null {
  const prefix = dirname(dir);
  return !hidden.includes(prefix) && basename(dir) === "bin" && existing(join(prefix, "lib", "node_modules"), "dir") ? prefix : null;
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
