import { closeSync, openSync, readSync, realpathSync } from "node:fs";
import { basename, isAbsolute } from "node:path";
import type { AgentCliDefinition } from "./agent-cli.ts";

/** An agent CLI found on the worker's PATH, usable inside the sandbox. */
export interface FoundAgentCli {
  /** As found on PATH (what the sandbox runs: the same path is visible there). */
  path: string;
  /** Its real file. */
  real: string;
}

export type AgentCliLookup = ({ found: true } & FoundAgentCli) | { found: false; why: string; fix: string };

export interface FindAgentCliOptions {
  /** The worker's PATH (the sandbox's too: sandboxEnv keeps it). */
  path: string;
  /**
   * Why a host path is not visible inside the sandbox, or null when it is (`hiddenInSandbox` with the spec
   * the job's command gets); null itself when there is no sandbox (`sandbox.mode = "off"`).
   */
  hidden: ((path: string) => string | null) | null;
}

/**
 * Host-side, like bwrap itself is found: `cli.binary` on PATH, and whether a sandboxed command can run it:
 * its real file and, for a script, its interpreter (`#!/usr/bin/env node`: node on PATH) must both be
 * visible there. A program under a home directory is not, unless its directory is on PATH and holds no
 * credentials (resolveSandboxSpec reveals those): the answer says which directory hides it.
 */
export function findAgentCli(cli: AgentCliDefinition, options: FindAgentCliOptions): AgentCliLookup {
  const path = Bun.which(cli.binary, { PATH: options.path });
  if (path === null) return { found: false, why: `${cli.binary} is not installed (not on PATH)`, fix: `install it: ${cli.install}` };
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return { found: false, why: `${path} is a broken link`, fix: `reinstall it: ${cli.install}` };
  }
  if (options.hidden === null) return { found: true, path, real };
  const outOfSight = `install it where the sandbox sees it, outside every home directory (${cli.install})`;
  const hidden = options.hidden(real);
  if (hidden !== null) return { found: false, why: `${path}${real === path ? "" : ` (${real})`} cannot be run in the sandbox: ${hidden}`, fix: outOfSight };
  const interpreter = interpreterOf(real, options.path);
  if (interpreter?.missing) return { found: false, why: `${path} is run by ${interpreter.missing}, which is not installed`, fix: `install ${interpreter.missing}` };
  if (interpreter?.path) {
    const hiddenInterpreter = options.hidden(interpreter.path);
    if (hiddenInterpreter !== null) return { found: false, why: `${path} is run by ${interpreter.path}, which cannot be run in the sandbox: ${hiddenInterpreter}`, fix: `install ${basename(interpreter.path)} outside every home directory, or ${outOfSight}` };
  }
  return { found: true, path, real };
}

/** A script's interpreter from its `#!` line: its real path, or what is missing; null for a binary. */
function interpreterOf(file: string, path: string): { path?: string; missing?: string } | null {
  const head = readHead(file);
  if (!head.startsWith("#!")) return null;
  const words = head.slice(2).split("\n")[0]!.trim().split(/\s+/).filter(Boolean);
  let program = words[0];
  if (program === undefined) return null;
  if (basename(program) === "env") program = words.slice(1).find((w) => !w.startsWith("-") && !w.includes("="));
  if (program === undefined) return null;
  const found = isAbsolute(program) ? program : Bun.which(program, { PATH: path });
  if (found === null) return { missing: program };
  try {
    return { path: realpathSync(found) };
  } catch {
    return { missing: program };
  }
}

function readHead(file: string): string {
  let fd: number | null = null;
  try {
    fd = openSync(file, "r");
    const buffer = Buffer.alloc(256);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, n).toString("latin1");
  } catch {
    return "";
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
