import { afterAll, expect, test } from "bun:test";
import { createServer } from "node:net";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { CredentialKey } from "./component-credential.ts";
import { groupId, personOf, userName } from "./os-users.ts";
import { peerCredentials, type PeerCredentials } from "./peer-credentials.ts";

const dir = tempDir();
afterAll(() => dir.cleanup());

test("SO_PEERCRED names the process at the other end of a Unix socket: its pid, uid and gid", async () => {
  const path = join(dir.path, "peer.sock");
  const seen: (PeerCredentials | null)[] = [];
  const server = createServer((socket) => {
    seen.push(peerCredentials((socket as unknown as { _handle: { fd: number } })._handle.fd));
    socket.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  try {
    // A separate process connects: the kernel, not the client, says who it is.
    const child = Bun.spawn([process.execPath, "-e", `const s = require("node:net").connect(${JSON.stringify(path)}); s.on("data", () => s.end());`], { stdout: "ignore" });
    await child.exited;
    expect(seen).toEqual([{ pid: child.pid, uid: process.getuid!(), gid: process.getgid!() }]);
  } finally {
    server.close();
  }
  expect(peerCredentials(0)).toBeNull(); // not a socket: no one, never someone
});

test("a uid is named os:<account>, or os:uid-N without one; group names resolve to their gid", () => {
  expect(userName(0)).toBe("root");
  expect(personOf(0)).toBe("os:root");
  expect(personOf(2_000_000_123)).toBe("os:uid-2000000123");
  expect(groupId("root")).toBe(0);
  expect(groupId("no-such-group-here")).toBeNull();
});

test("a credential verifies under the key that issued it only, and names its role and component", () => {
  const key = CredentialKey.random();
  const credential = key.issue({ role: "review-agent", name: "review-agent" });
  expect(key.verify(credential)).toEqual({ role: "review-agent", name: "review-agent" });
  expect(CredentialKey.random().verify(credential)).toBeNull();
  const [v, , name, nonce, mac] = credential.split(".");
  // Claims changed under the same MAC (a worker's credential made a reviewer's), a changed MAC, junk.
  expect(key.verify([v, "scm", name, nonce, mac].join("."))).toBeNull();
  expect(key.verify(`${credential.slice(0, -1)}${credential.endsWith("0") ? "1" : "0"}`)).toBeNull();
  for (const junk of ["", "pp1", "pp1....", `${credential}.x`, credential.toUpperCase()]) expect(key.verify(junk)).toBeNull();
  expect(() => key.issue({ role: "worker", name: "Not A Name" })).toThrow();
});

test("the key file is made once, 0600, and read back the same by the next server", () => {
  const path = join(dir.path, "credential.key");
  const first = CredentialKey.loadOrCreate(path);
  const credential = first.issue({ role: "worker", name: "worker-1" });
  expect((Bun.spawnSync(["stat", "-c", "%a", path]).stdout.toString().trim())).toBe("600");
  expect(CredentialKey.loadOrCreate(path).verify(credential)).toEqual({ role: "worker", name: "worker-1" });
});
