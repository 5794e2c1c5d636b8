import { afterEach, expect, test } from "bun:test";
import { Cluster } from "./helpers/cluster.ts";

let cluster: Cluster | null = null;
afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

function auditActions(c: Cluster): { action: string; data: unknown }[] {
  return c
    .cli(["audit", "export"])
    .stdout.split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { action: string; data: unknown });
}

test("a server started with the sandbox off or a network grant says so in the audit trail", async () => {
  cluster = await Cluster.create({ env: { PUSHPALS_SANDBOX_MODE: "off", PUSHPALS_SANDBOX_NETWORK: "run" } });
  await cluster.startServer();
  const entries = auditActions(cluster);
  expect(entries.find((e) => e.action === "sandbox.disabled")).toBeDefined();
  expect(entries.find((e) => e.action === "sandbox.network_granted")?.data).toEqual({ kinds: ["run"] });
});

test("with the default config neither entry is written", async () => {
  cluster = await Cluster.create();
  await cluster.startServer();
  const actions = auditActions(cluster).map((e) => e.action);
  expect(actions).toContain("server.started");
  expect(actions).not.toContain("sandbox.disabled");
  expect(actions).not.toContain("sandbox.network_granted");
});
