/**
 * The Quickstart demo: copies the bundled example repository to a temp dir, starts the control plane
 * and one WorkerPal as real processes, runs a `checks` job on the exact HEAD commit, shows its
 * history, logs and audit verdict, then stops everything. Exit 0 when the checks passed.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const bin = resolve(import.meta.dir, "../bin/pushpals");
const repo = mkdtempSync(join(tmpdir(), "pushpals-demo-"));
cpSync(resolve(import.meta.dir, "sample-repo"), repo, { recursive: true });

const sh = (cmd: string[], quiet = false) => {
  const r = Bun.spawnSync(cmd, { cwd: repo, stdout: quiet ? "pipe" : "inherit", stderr: "inherit" });
  if (r.exitCode !== 0 && !quiet) throw new Error(`${cmd.join(" ")} exited ${r.exitCode}`);
  return r;
};
const step = (text: string) => console.log(`\n\x1b[1m== ${text}\x1b[0m`);

sh(["git", "init", "-q", "-b", "main"]);
sh(["git", "-c", "user.name=PushPals Demo", "-c", "user.email=demo@example.invalid", "add", "-A"]);
sh(["git", "-c", "user.name=PushPals Demo", "-c", "user.email=demo@example.invalid", "commit", "-q", "-m", "sample repo"]);

/** Resolves with the first match of `pattern` in the process's output, and keeps draining it after that. */
function waitForLine(proc: ReturnType<typeof Bun.spawn>, pattern: RegExp): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    void (async () => {
      const decoder = new TextDecoder();
      let text = "";
      let found = false;
      for await (const chunk of proc.stdout as ReadableStream<Uint8Array>) {
        if (found) continue;
        text += decoder.decode(chunk);
        const match = text.match(pattern);
        if (match) {
          found = true;
          resolvePromise(match[0]);
        }
      }
      if (!found) reject(new Error(`process ended before printing ${pattern}:\n${text}`));
    })();
  });
}

step(`example repository at ${repo}`);
const server = Bun.spawn([bin, "serve"], { cwd: repo, stdout: "pipe", stderr: "inherit" });
let status = 1;
let worker: ReturnType<typeof Bun.spawn> | null = null;
try {
  console.log(await waitForLine(server, /listening on \S+/));
  worker = Bun.spawn([bin, "worker", "--name", "demo-pal"], { cwd: repo, stdout: "pipe", stderr: "inherit" });
  console.log(await waitForLine(worker, /registered \S+/));

  step("pushpals enqueue checks");
  const enqueued = sh([bin, "enqueue", "checks", "--json"], true);
  const jobId = JSON.parse(String(enqueued.stdout)).job.id as string;
  console.log(`enqueued ${jobId}`);

  step(`pushpals logs ${jobId} -f`);
  sh([bin, "logs", jobId, "-f"]);

  step(`pushpals job ${jobId}`);
  sh([bin, "job", jobId]);
  const { job } = JSON.parse(String(sh([bin, "job", jobId, "--json"], true).stdout));

  step("pushpals audit verify");
  sh([bin, "audit", "verify"]);

  status = job.state === "succeeded" ? 0 : 1;
  step(status === 0 ? "checks passed: the control plane, a WorkerPal and the audit trail work on this machine" : `checks ${job.state}`);
} finally {
  worker?.kill("SIGTERM");
  await worker?.exited;
  server.kill("SIGTERM");
  await server.exited;
  rmSync(repo, { recursive: true, force: true });
}
process.exit(status);
