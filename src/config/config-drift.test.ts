import { expect, test } from "bun:test";
import { configWaitingForRestart } from "./config-drift.ts";
import { DEFAULT_CONFIG } from "./schema.ts";

test("settings read at start that changed since are named with both values; per-job ones (checks, install) are not", () => {
  const now = structuredClone(DEFAULT_CONFIG);
  now.sandbox.memory_mb = 8192;
  now.sandbox.network = ["checks"];
  now.install.allow_scripts = !DEFAULT_CONFIG.install.allow_scripts;
  now.checks.commands = [{ name: "t", run: "true" }];
  expect(configWaitingForRestart(DEFAULT_CONFIG, now)).toEqual([`sandbox.memory_mb: ${DEFAULT_CONFIG.sandbox.memory_mb} -> 8192`, 'sandbox.network: [] -> ["checks"]']);
  expect(configWaitingForRestart(DEFAULT_CONFIG, structuredClone(DEFAULT_CONFIG))).toEqual([]);
});
