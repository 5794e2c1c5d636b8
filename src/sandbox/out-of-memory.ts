import { JobFailure } from "../core/job-failure.ts";
import type { FailureEvidence } from "../core/failures.ts";
import type { CommandSandbox } from "./sandbox-for.ts";

/** A command stopped for using all of its memory (`RunResult.outOfMemory`): the machine's limit, not broken code. */
export function outOfMemoryFailure(what: string, sandbox: CommandSandbox, evidence: FailureEvidence): JobFailure {
  const limit = sandbox === "off" ? "" : ` (sandbox.memory_mb = ${sandbox.limits.memoryMb})`;
  return new JobFailure("environment", `${what} ran out of memory${limit} and was stopped: raise sandbox.memory_mb in .pushpals/config.toml, or make it use less`, evidence);
}
