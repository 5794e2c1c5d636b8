import { loadEffectiveConfig } from "../../src/config/load.ts";
import { runServer, type RunningServer } from "../../src/server/main.ts";
import { makeRepo, spawnPushpals, type Proc } from "./cluster.ts";
import { startScriptedModel, type ScriptedModel, type ScriptedTurn } from "./scripted-model.ts";

export interface ModelJobCluster {
  model: ScriptedModel;
  repo: Awaited<ReturnType<typeof makeRepo>>;
  /** In this process, so a test can queue server-built jobs (runServerJob). */
  server: RunningServer;
  /** The fixture's one commit. */
  base: string;
  stop(): Promise<void>;
}

/**
 * A scripted model server, a fixture repository whose config names it (`config(modelUrl)`), the server in
 * this process, and a real WorkerPal (holding the key in its environment as TEST_MODEL_KEY), ReviewAgent
 * and SourceControlManager, each ready: what the model-backed specialists' end-to-end tests run on.
 */
export async function startModelJobCluster(script: ScriptedTurn[], options: { config: (modelUrl: string) => string; files: Record<string, string>; key: string; worker: string }): Promise<ModelJobCluster> {
  const model = await startScriptedModel(script);
  const repo = await makeRepo({ configToml: options.config(model.url), files: options.files });
  const base = Bun.spawnSync(["git", "rev-parse", "HEAD"], { cwd: repo.root }).stdout.toString().trim();
  const loaded = loadEffectiveConfig({ repoRoot: repo.root, runtimeDir: repo.paths.runtimeDir, env: {} }).config;
  const server = await runServer(repo.paths, loaded, { tickMs: 50 });
  const procs: Proc[] = [spawnPushpals(["worker", "--name", options.worker], repo.root, { TEST_MODEL_KEY: options.key }), spawnPushpals(["agent", "review-agent"], repo.root), spawnPushpals(["agent", "scm"], repo.root)];
  const [worker, reviewer, scm] = procs;
  await Promise.all([worker!.waitForOutput(/registered wrk_\S+ for .*agent-run/), reviewer!.waitForOutput(/\[review-agent\] ready/), scm!.waitForOutput(/\[scm\] ready/)]);
  return {
    model,
    repo,
    server,
    base,
    async stop() {
      for (const p of procs) p.proc.kill("SIGKILL");
      await Promise.all(procs.map((p) => p.proc.exited));
      await server.shutdown("test over");
      repo.cleanup();
      model.stop();
    },
  };
}
