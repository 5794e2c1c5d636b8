import { z } from "zod";
import { KindName } from "../core/kind-name.ts";

/** At most this many names in `sandbox.network`. */
export const MAX_NETWORK_GRANTS = 16;

/**
 * The `[sandbox]` config section: how every command a job runs is confined. A worker reads it from its
 * own config, never from a job's input, so a job cannot turn its sandbox off.
 */
export const SandboxSettings = z.strictObject({
  /** "off" runs commands unconfined (preflight warns loudly, PP011); only for machines without bwrap. */
  mode: z.enum(["bwrap", "off"]),
  /** Job kinds whose commands may use the network (e.g. ["run"]); every other command has none. */
  network: z.array(KindName).max(MAX_NETWORK_GRANTS),
  /** Dependency preparation reaches the package registry. */
  install_network: z.boolean(),
  /** Resident memory of one command as a whole, in MB (a memory cgroup, else a watch of its processes); /tmp and /dev/shm sized within it. */
  memory_mb: z.number().int().min(256).max(1024 * 1024),
  /** CPU time limit (RLIMIT_CPU) of each process, in seconds. */
  cpu_seconds: z.number().int().min(1).max(7 * 24 * 3600),
  /** Processes (and threads) one command may have at once. */
  max_processes: z.number().int().min(8).max(65_536),
  /** stdout and stderr together, per command; past it the command is killed. */
  max_output_mb: z.number().int().min(1).max(16 * 1024),
});
export type SandboxSettings = z.infer<typeof SandboxSettings>;

export const DEFAULT_SANDBOX_SETTINGS: SandboxSettings = {
  mode: "bwrap",
  network: [],
  install_network: true,
  memory_mb: 4096,
  cpu_seconds: 1800,
  max_processes: 512,
  max_output_mb: 64,
};
