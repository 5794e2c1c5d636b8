import type { FailureEvidence } from "../core/failures.ts";
import { JobFailure } from "../core/job-failure.ts";
import { diagnoseInstallFailure } from "./install-failure.ts";
import type { InstallPlan } from "./installers.ts";

/**
 * The failure of an install that exited non-zero, from what its output says (install-failure.ts): a
 * cause that fails the same way every time ends the job at once (`notRetryable`), with the fix; network
 * trouble and causes it cannot tell keep the ordinary retries of `environment`.
 */
export function failedInstall(command: string, run: { exitCode: number | null; signal: string | null; tail: string[] }, plan: InstallPlan, evidence: FailureEvidence): JobFailure {
  const exited = `\`${command}\` exited ${run.exitCode ?? run.signal}`;
  const diagnosis = diagnoseInstallFailure(run.tail, { packageManager: plan.packageManager, lockfile: plan.lockfile });
  if (diagnosis && !diagnosis.retryable) {
    return new JobFailure("environment", `installing dependencies failed: ${exited}: ${diagnosis.cause}; ${diagnosis.fix}`, { ...evidence, notRetryable: diagnosis.cause.slice(0, 1024) });
  }
  if (diagnosis) {
    return new JobFailure("environment", `installing dependencies failed: ${exited}: ${diagnosis.cause}; it may pass on the next attempt (if it keeps failing, check the registry and network)`, evidence);
  }
  const lockfile = plan.lockfile ? `if ${plan.lockfile} is out of date, run ${plan.packageManager} install and commit it, otherwise ` : "";
  return new JobFailure("environment", `installing dependencies failed: ${exited} (its last lines are in the evidence); ${lockfile}check the registry and network`, evidence);
}
