import { resolve } from "node:path";

const CONFIG = resolve(import.meta.dir, "bunfig.toml");

/**
 * How every host-side PushPals process starts Bun: without the `.env` files and the `bunfig.toml` of
 * the folder it starts in (the repository), whose `preload` would otherwise run the repository's code,
 * unsandboxed, in every component, and whose variables would reach its config.
 */
export function hostBun(entry: string, ...args: string[]): string[] {
  return [process.execPath, "--no-env-file", `--config=${CONFIG}`, entry, ...args];
}
