import { z } from "zod";
import { CheckCommand, InstallSettings } from "../../config/check-settings.ts";
import { Sha } from "../../core/sha.ts";

export const ChecksInput = z.strictObject({
  /** The exact commit to check: a full 40-hex SHA, resolved before enqueue. */
  commit: Sha,
  /** The branch whose commit this is, when the checks are of a branch (`pushpals check`): a red check then becomes a failing-build work item. */
  branch: z.string().min(1).max(255).regex(/^[^\s~^:?*[\\]+$/, "must be a branch name").optional(),
  commands: z.array(CheckCommand).min(1).max(32),
  timeoutSeconds: z.number().int().positive().max(24 * 3600).default(900),
  /** Absent in jobs enqueued before dependency preparation existed: the defaults (auto, no scripts, 600 s) apply. */
  install: InstallSettings.optional(),
});
export type ChecksInput = z.infer<typeof ChecksInput>;

