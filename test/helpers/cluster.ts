import type { Subprocess } from "bun";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { JobHistory } from "../../src/api/responses.ts";
import { routes } from "../../src/api/routes.ts";
import type { EnqueueBody } from "../../src/api/schemas.ts";
import { ApiClient } from "../../src/client/api-client.ts";
import type { IssueCredentialBody } from "../../src/api/schemas.ts";
import { runtimePathsFor, type RuntimePaths } from "../../src/runtime-dir/paths.ts";
import type { Job } from "../../src/store/jobs/job-rows.ts";
import { tempDir } from "./temp.ts";

export const PUSHPALS_BIN = resolve(import.meta.dir, "../../bin/pushpals");

export interface Proc {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  output: () => string;
  waitForOutput: (pattern: RegExp, timeoutMs?: number) => Promise<string>;
}

/** Runs `pushpals` as a real child process (through `wrap`, e.g. a shell setting a ulimit) and keeps everything it prints. */
export function spawnPushpals(args: string[], cwd: string, env: Record<string, string> = {}, wrap: string[] = []): Proc {
  const proc = Bun.spawn([...wrap, PUSHPALS_BIN, ...args], { cwd, stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { ...process.env, ...env } });
  let text = "";
  const waiters = new Set<() => void>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      text += decoder.decode(chunk, { stream: true });
      for (const w of waiters) w();
    }
  };
  void pump(proc.stdout);
  void pump(proc.stderr);
  return {
    proc,
    output: () => text,
    waitForOutput: (pattern, timeoutMs = 15_000) =>
      new Promise<string>((resolvePromise, reject) => {
        const check = () => {
          const m = text.match(pattern);
          if (m) {
            waiters.delete(check);
            clearTimeout(timer);
            resolvePromise(m[0]);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${pattern} in output:\n${text}`));
        }, timeoutMs);
        waiters.add(check);
        void proc.exited.then(() => setTimeout(() => {
          if (!waiters.has(check)) return;
          waiters.delete(check);
          clearTimeout(timer);
          reject(new Error(`process exited (${proc.exitCode}) before ${pattern}; output:\n${text}`));
        }, 50));
        check();
      }),
  };
}

export interface RepoOptions {
  configToml?: string;
  files?: Record<string, string>;
  /** Make the repository in this directory (which must not exist yet) instead of a fresh temp dir. */
  at?: string;
}

/** A real git repository in a temp dir, with one commit and an optional `.pushpals/config.toml`. */
export async function makeRepo(options: RepoOptions = {}): Promise<{ root: string; paths: RuntimePaths; cleanup: () => void }> {
  const dir = options.at ? { path: options.at, cleanup: () => rmSync(options.at!, { recursive: true, force: true }) } : tempDir("pushpals-repo-");
  if (options.at) mkdirSync(options.at, { recursive: false });
  const root = dir.path;
  const run = (args: string[]) => {
    const r = Bun.spawnSync(["git", ...args], { cwd: root, stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString()}`);
  };
  run(["init", "-q", "-b", "main"]);
  run(["config", "user.email", "test@example.invalid"]);
  run(["config", "user.name", "PushPals Test"]);
  const files: Record<string, string> = { "README.md": "# test repo\n", ...options.files };
  if (options.configToml) files[".pushpals/config.toml"] = options.configToml;
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(root, name, ".."), { recursive: true });
    writeFileSync(join(root, name), content);
  }
  run(["add", "-A"]);
  run(["commit", "-q", "-m", "initial"]);
  return { root, paths: runtimePathsFor(root, join(root, ".git")), cleanup: dir.cleanup };
}

/** A server and workers as separate OS processes over one temp repository (`await using`: stopped at the end of the scope). */
export class Cluster implements AsyncDisposable {
  readonly procs: Proc[] = [];
  server: Proc | null = null;
  readonly client: ApiClient;

  constructor(
    readonly root: string,
    readonly paths: RuntimePaths,
    private readonly cleanupRepo: () => void,
    readonly env: Record<string, string> = {},
  ) {
    // Every reply the tests read is checked against its route's schema: the contract holds at runtime too.
    this.client = new ApiClient({ serverFile: paths.serverFile }, { checkReplies: true });
  }

  static async create(options: RepoOptions & { env?: Record<string, string> } = {}): Promise<Cluster> {
    const repo = await makeRepo(options);
    return new Cluster(repo.root, repo.paths, repo.cleanup, options.env);
  }

  async startServer(args: string[] = []): Promise<Proc> {
    const server = spawnPushpals(["serve", "--tick-ms", "50", ...args], this.root, this.env);
    this.procs.push(server);
    await server.waitForOutput(/listening on http:\/\/127\.0\.0\.1:\d+/);
    this.server = server;
    return server;
  }

  async startWorker(name: string, args: string[] = []): Promise<Proc> {
    const worker = spawnPushpals(["worker", "--name", name, ...args], this.root, this.env);
    this.procs.push(worker);
    await worker.waitForOutput(/registered wrk_/);
    return worker;
  }

  /** The SourceControlManager (its env extended by `scmEnv`, e.g. a failpoint) and the ReviewAgent. */
  async startAgents(scmEnv: Record<string, string> = {}): Promise<{ scm: Proc; reviewer: Proc }> {
    const reviewer = spawnPushpals(["agent", "review-agent"], this.root, this.env);
    const scm = spawnPushpals(["agent", "scm"], this.root, { ...this.env, ...scmEnv });
    this.procs.push(reviewer, scm);
    await scm.waitForOutput(/\[scm\] ready/);
    await reviewer.waitForOutput(/\[review-agent\] ready/);
    return { scm, reviewer };
  }

  /** The RemoteAgent, its env extended by `env` (e.g. a failpoint), once it says it is ready. */
  async startRemoteAgent(env: Record<string, string> = {}): Promise<Proc> {
    const remote = spawnPushpals(["agent", "remote-agent"], this.root, { ...this.env, ...env });
    this.procs.push(remote);
    await remote.waitForOutput(/\[remote-agent\] ready/);
    return remote;
  }

  cli(args: string[]): { exitCode: number; stdout: string; stderr: string } {
    const r = Bun.spawnSync([PUSHPALS_BIN, ...args], { cwd: this.root, stdout: "pipe", stderr: "pipe", env: { ...process.env, ...this.env } });
    return { exitCode: r.exitCode ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
  }

  /** `cli`, awaited without blocking this process's event loop (so the tests of a file can run concurrently). */
  async cliAsync(args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    const proc = Bun.spawn([PUSHPALS_BIN, ...args], { cwd: this.root, stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { ...process.env, ...this.env } });
    const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    return { exitCode, stdout, stderr };
  }

  /** A client holding a credential the server issued to this (the owner's) process, as `pushpals worker` run by hand gets one. */
  async componentClient(holder: IssueCredentialBody = { role: "worker", name: "test-worker" }): Promise<ApiClient> {
    const client = new ApiClient({ serverFile: this.paths.serverFile }, { checkReplies: true });
    client.useCredential((await this.client.call(routes.issueCredential, { body: holder })).credential);
    return client;
  }

  async enqueue(kind: string, input: unknown, extra: Partial<EnqueueBody> = {}): Promise<Job> {
    return (await this.client.call(routes.enqueueJob, { body: { kind, input, ...extra } })).job;
  }

  async job(id: string): Promise<JobHistory> {
    return this.client.call(routes.getJob, { params: { id } });
  }

  /** Polls the API until the predicate holds on the job (the server is the source of truth). */
  async waitForJob(id: string, predicate: (job: Job) => boolean, timeoutMs = 20_000): Promise<Job> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { job } = await this.job(id);
      if (predicate(job)) return job;
      if (Date.now() > deadline) throw new Error(`job ${id} never reached the expected state; it is ${job.state}`);
      await Bun.sleep(25);
    }
  }

  async stop(): Promise<void> {
    for (const p of this.procs) {
      try {
        p.proc.kill("SIGCONT");
        p.proc.kill("SIGKILL");
      } catch {}
    }
    await Promise.all(this.procs.map((p) => p.proc.exited));
    this.cleanupRepo();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}
