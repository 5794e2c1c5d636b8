import { z } from "zod";
import { ECOSYSTEM_IDS } from "../ecosystems/registry.ts";
import { ReportPath } from "../test-results/report-path.ts";

/** A check command as configured in `.pushpals/config.toml` and snapshotted into the job input. */
export const CheckCommand = z.strictObject({
  name: z.string().min(1).max(64),
  run: z.string().min(1).max(4096),
  /**
   * Where the check writes its JUnit XML or TAP report, relative to the checkout (its format read from
   * its content): its tests' outcomes are recorded, and `.pushpals/quarantine.toml` can waive a failure.
   * The command also gets the absolute path as PUSHPALS_TEST_REPORT.
   */
  report: ReportPath.optional(),
});
export type CheckCommand = z.infer<typeof CheckCommand>;

/** `install.package_manager`: "auto" follows the lockfile, "none" skips dependency preparation, else an ecosystem's id. */
export const PackageManagerSetting = z.enum(["auto", ...ECOSYSTEM_IDS, "none"]);
export type PackageManagerSetting = z.infer<typeof PackageManagerSetting>;

/** How a `checks` job prepares dependencies in its worktree (config `install`, snapshotted at enqueue). */
export const InstallSettings = z.strictObject({
  /** "auto" follows the lockfile; "none" skips dependency preparation. */
  packageManager: PackageManagerSetting.default("auto"),
  /** Lifecycle scripts (postinstall...) run arbitrary code: off unless the repository opts in. */
  allowScripts: z.boolean().default(false),
  timeoutSeconds: z.number().int().positive().max(3600).default(600),
});
export type InstallSettings = z.infer<typeof InstallSettings>;

/** The checks snapshotted into a change job (run, merge) at enqueue. */
export const ChecksSnapshot = z.strictObject({
  commands: z.array(CheckCommand).max(32),
  timeoutSeconds: z.number().int().positive().max(24 * 3600).default(900),
});
export type ChecksSnapshot = z.infer<typeof ChecksSnapshot>;
