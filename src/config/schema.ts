import { z } from "zod";
import { CheckCommand } from "../jobs/kinds.ts";

/** `.pushpals/config.toml`, committed and reviewed like code. Keys are snake_case in the file. */
export const PushpalsConfig = z.strictObject({
  server: z
    .strictObject({
      // Only loopback: the control plane is local by design (see docs/architecture.md).
      host: z.literal("127.0.0.1", { error: 'must be "127.0.0.1": the PushPals server only listens on loopback' }).default("127.0.0.1"),
      port: z.number().int().min(0).max(65535).default(0),
      max_body_bytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
    })
    .default({ host: "127.0.0.1", port: 0, max_body_bytes: 1024 * 1024 }),
  jobs: z
    .strictObject({
      lease_seconds: z.number().positive().max(3600).default(30),
      max_attempts: z.number().int().min(1).max(20).default(3),
      max_log_lines: z.number().int().min(100).max(1_000_000).default(20_000),
    })
    .default({ lease_seconds: 30, max_attempts: 3, max_log_lines: 20_000 }),
  checks: z
    .strictObject({
      timeout_seconds: z.number().int().positive().max(24 * 3600).default(900),
      commands: z.array(CheckCommand).max(32).default([]),
    })
    .default({ timeout_seconds: 900, commands: [] }),
});
export type PushpalsConfig = z.infer<typeof PushpalsConfig>;
