import type { Command } from "commander";

/** `pushpals init`: being built (see issue 4). */
export function registerInit(_program: Command): void {}
