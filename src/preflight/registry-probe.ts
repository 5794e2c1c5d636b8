import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PushpalsConfig } from "../config/schema.ts";
import { JobFailure } from "../core/job-failure.ts";
import { diagnoseInstallFailure } from "../deps/install-failure.ts";
import { installSandbox } from "../deps/install-sandbox.ts";
import type { RuntimePaths } from "../runtime-dir/paths.ts";
import { runCommand } from "../sandbox/run-command.ts";
import { sandboxFor } from "../sandbox/sandbox-for.ts";
import { ok, warn, type Finding } from "./finding.ts";

export const REGISTRY_PROBE_CODE = "PP014";
// One try: a doctor answers at once, where an install retries.
const PROBE = "npm ping --fetch-retries=0";
const TIMEOUT_MS = 30_000;

/**
 * PP014 (`pushpals doctor --registry`): a registry request made the way an install makes it — in the
 * install sandbox, through the egress proxy, with the npm config PushPals writes (the user's registry,
 * credentials, CA bundles and proxy) — so a certificate, proxy or allowlist problem shows before the
 * first job fails on it. Opt-in: it reaches the network.
 */
export async function probeRegistry(paths: RuntimePaths, config: PushpalsConfig): Promise<Finding> {
  if (!config.sandbox.install_network) {
    return warn(REGISTRY_PROBE_CODE, "installs have no network (sandbox.install_network = false): no registry was asked", "set sandbox.install_network = true, or keep every dependency in the dependency cache");
  }
  const dir = mkdtempSync(join(tmpdir(), "pushpals-registry-probe-"));
  const lines: string[] = [];
  try {
    const base = sandboxFor({ sandbox: config.sandbox, paths }, dir, { network: true });
    const confined = await installSandbox(base, dir, { packageManager: "npm", allowScripts: false, log: (line) => lines.push(line) });
    try {
      const run = await runCommand(PROBE, { cwd: dir, timeoutMs: TIMEOUT_MS, signal: AbortSignal.timeout(TIMEOUT_MS + 5_000), env: confined.env, sandbox: confined.sandbox, onLine: (_s, line) => lines.push(line) });
      const registry = lines.map((l) => /PING (\S+)/.exec(l)?.[1]).find(Boolean) ?? "the configured registry";
      if (run.exitCode === 0) return ok(REGISTRY_PROBE_CODE, `${registry} answers an install's request (\`${PROBE}\` in the install sandbox, through the egress proxy, in ${run.durationMs} ms)`);
      const refused = confined.denied().map((d) => `${d.host}:${d.port}`);
      if (refused.length > 0) return warn(REGISTRY_PROBE_CODE, `the egress proxy refused ${[...new Set(refused)].join(", ")}: not a registry of your npm configuration`, "name the registry in ~/.npmrc (registry= or @scope:registry=)");
      const diagnosis = diagnoseInstallFailure(lines, { packageManager: "npm", lockfile: null });
      const cause = run.timedOut ? `no answer within ${TIMEOUT_MS / 1000} s` : (diagnosis?.cause ?? (lines.filter(Boolean).at(-1) ?? `exit ${run.exitCode ?? run.signal}`));
      const fix = diagnosis && !diagnosis.retryable ? diagnosis.fix : "check the registry URL in ~/.npmrc, the network, and HTTPS_PROXY for the worker";
      return warn(REGISTRY_PROBE_CODE, `${registry} did not answer an install's request (\`${PROBE}\`): ${cause}`, fix);
    } finally {
      await confined.close();
    }
  } catch (err) {
    if (!(err instanceof JobFailure)) throw err;
    return warn(REGISTRY_PROBE_CODE, `an install's request could not be made: ${err.message}`, "fix the setting it names");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
