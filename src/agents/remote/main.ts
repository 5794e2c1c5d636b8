import { reportReady } from "../../client/component-reporter.ts";
import { useComponentCredential } from "../../client/credential.ts";
import { onSupervisorGone } from "../../runtime/supervised.ts";
import type { ApiClient } from "../../client/api-client.ts";
import { DispatchLoop } from "./dispatch-loop.ts";
import { BaseWatch } from "./base-watch.ts";
import { depsScanSchedule } from "./deps-scan.ts";
import { issueScanSchedule } from "./issue-scan.ts";
import { wakeOnJobEnds } from "./job-end-wake.ts";
import type { PushpalsConfig } from "../../config/schema.ts";

/**
 * The RemoteAgent process: registers, reports ready, then runs the dispatch loop over the work items
 * `pushpals plan` ranks. Decomposition is by deterministic recipes (src/planning/recipe.ts); an item
 * no specialist takes stays held, and a directive waits blocked on its question.
 */
export async function runRemoteAgent(client: ApiClient, options: { name: string; baseBranch: string; repoRoot: string; gitCommonDir: string; config: () => PushpalsConfig }): Promise<never> {
  await useComponentCredential(client, { role: "remote-agent", name: options.name });
  const reporter = await reportReady(client, options.name, "remote-agent", null);
  process.stdout.write(`[${options.name}] ready (pid ${process.pid}); dispatching work items onto ${options.baseBranch}\n`);
  const say = (line: string) => void process.stdout.write(`[${options.name}] ${line}\n`);
  const baseWatch = options.config().remote_agent.check_base ? new BaseWatch({ client, repoRoot: options.repoRoot, baseBranch: options.baseBranch, config: options.config, say }) : undefined;
  const issueScan = issueScanSchedule({ client, config: options.config, say });
  const depsScan = depsScanSchedule({ client, repoRoot: options.repoRoot, baseBranch: options.baseBranch, config: options.config, say });
  const loop = new DispatchLoop({ client, baseBranch: options.baseBranch, say, baseWatch, issueScan, depsScan });
  loop.start();
  // Event-driven: a branch that moves, or a job that ends, turns the loop at once.
  baseWatch?.watchRefs(options.gitCommonDir, () => loop.wake());
  const events = new AbortController();
  void wakeOnJobEnds(client, () => loop.wake(), events.signal).catch((err: Error) => say(`not following events (${err.message}): turning every tick`));
  await new Promise<void>((resolve) => {
    process.on("SIGTERM", () => resolve());
    process.on("SIGINT", () => resolve());
    onSupervisorGone(resolve);
  });
  loop.stop();
  baseWatch?.stop();
  events.abort();
  reporter.stop();
  process.exit(0);
}
