import { afterEach, expect, test } from "bun:test";
import { Cluster } from "./helpers/cluster.ts";

let cluster: Cluster | null = null;
afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

test("at start, a job branch the database does not know is kept and reported in the audit trail", async () => {
  cluster = await Cluster.create();
  const git = (args: string[]) => Bun.spawnSync(["git", ...args], { cwd: cluster!.root, stdout: "pipe" }).stdout.toString().trim();
  const head = git(["rev-parse", "HEAD"]);
  git(["branch", "pushpals/job_0000000000000000000000000000abcd", head]);
  await cluster.startServer();
  const entries = cluster
    .cli(["audit", "export"])
    .stdout.split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { action: string; data: { branch: string; sha: string; kept: boolean } });
  const unknown = entries.filter((e) => e.action === "branch.unknown");
  expect(unknown.map((e) => e.data)).toEqual([{ branch: "pushpals/job_0000000000000000000000000000abcd", jobId: "job_0000000000000000000000000000abcd", sha: head, kept: true } as never]);
  expect(git(["rev-parse", "pushpals/job_0000000000000000000000000000abcd"])).toBe(head);
});
