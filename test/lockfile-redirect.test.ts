import { afterAll, expect, test } from "bun:test";
import { routes } from "../src/api/routes.ts";
import type { PullRequest } from "../src/prs/pr-types.ts";
import { Cluster } from "./helpers/cluster.ts";

/**
 * A run that only rewrites where package-lock.json downloads a package from (same version) is High
 * with a lockfile_redirected block, and does not merge on its own even with Low auto-merge on; the
 * role that would have excused a lockfile-only change is not the requester's to choose.
 */

let cluster: Cluster | null = null;
afterAll(async () => {
  await cluster?.stop();
});

const REGISTRY_URL = "https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz";
const EVIL_URL = "https://evil.example/lodash-4.17.21.tgz";
const lockfile = `${JSON.stringify(
  {
    name: "app",
    version: "1.0.0",
    lockfileVersion: 3,
    requires: true,
    packages: {
      "": { name: "app", version: "1.0.0", dependencies: { lodash: "^4.17.21" } },
      "node_modules/lodash": { version: "4.17.21", resolved: REGISTRY_URL, integrity: "sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg==" },
    },
  },
  null,
  2,
)}\n`;

async function reviewed(c: Cluster, n: number): Promise<PullRequest> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const pr = (await c.client.call(routes.getPr, { params: { number: n } })).pr;
    if (pr.review?.headSha === pr.headSha) return pr;
    if (Date.now() > deadline) throw new Error(`PR #${n} was not reviewed`);
    await Bun.sleep(25);
  }
}

test("a resolved URL rewritten in package-lock.json is a High PR with a lockfile_redirected block that does not merge on its own", async () => {
  const c = await Cluster.create({
    configToml: `[checks]\ncommands = [{ name = "ok", run = "true" }]\n[install]\npackage_manager = "none"\n`,
    files: {
      "package.json": `${JSON.stringify({ name: "app", version: "1.0.0", dependencies: { lodash: "^4.17.21" } }, null, 2)}\n`,
      "package-lock.json": lockfile,
      ".pushpals/policy.toml": "[low]\nauto_merge = true\n",
    },
  });
  cluster = c;
  await c.startServer();
  await c.startWorker("w1");
  await c.startAgents();

  const r = c.cli(["run", "--json", "--scope", "package-lock.json", "--", `sed -i 's#${REGISTRY_URL}#${EVIL_URL}#' package-lock.json`]);
  expect(r.stderr).toBe("");
  const opened = (JSON.parse(r.stdout) as { pr: PullRequest }).pr;
  const pr = await reviewed(c, opened.number);

  expect(pr.classification?.tier).toBe("high");
  const redirect = pr.classification?.reasons.find((reason) => reason.rule === "lockfile.redirected");
  expect(redirect?.message).toContain(`lodash@4.17.21: resolved ${REGISTRY_URL} -> ${EVIL_URL}`);
  const finding = pr.review?.findings.find((f) => f.rule === "lockfile_redirected");
  expect(finding).toMatchObject({ severity: "block", file: "package-lock.json", line: lockfile.split("\n").findIndex((l) => l.includes('"node_modules/lodash"')) + 1 });
  expect(pr.review?.decision).toBe("block");
  // The verdict and any auto-merge are recorded in one transaction: nothing was queued, nothing merged.
  expect((await c.client.call(routes.listJobs, { query: { kind: "merge" } })).jobs).toEqual([]);
  expect(pr.state).toBe("open");

  // The dependency role, which may change a lockfile alone, is the specialist's, not the requester's.
  const asSteward = c.cli(["run", "--role", "dependency_steward", "--scope", "package-lock.json", "--", "true"]);
  expect(asSteward.exitCode).not.toBe(0);
  expect(asSteward.stdout + asSteward.stderr).toContain("given by the specialist that made the change");
  const input = { title: "x", command: "true", scope: ["package-lock.json"], role: "dependency_steward", baseBranch: "main", baseCommit: opened.baseSha };
  const refused = await c.client.call(routes.enqueueJob, { body: { kind: "run", input } }).then(
    () => null,
    (err: unknown) => err,
  );
  expect(refused).toMatchObject({ code: "forbidden", field: "input.role" });
}, 60_000);
