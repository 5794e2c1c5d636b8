import { describe, expect, test } from "bun:test";
import { checkTarget, prepareDeny, type EgressPolicy, type Lookup } from "./egress-check.ts";
import type { EgressRule } from "./host-rules.ts";

// A fake resolver: checks without DNS, for names whose answers a test needs to choose.
const ANSWERS: Record<string, string[]> = {
  "registry.npmjs.org": ["104.16.0.35", "2606:4700::6810:2223"],
  "split.test": ["93.184.216.34", "10.0.0.5"],
  "metadata.test": ["169.254.169.254"],
  "mapped.test": ["::ffff:169.254.169.254"],
  "cgnat.test": ["100.64.1.1"],
  "local.test": ["127.0.0.1", "::1"],
  "lan.test": ["192.168.1.5"],
  "weird.test": ["not-an-address"],
};
const lookup: Lookup = async (host) => {
  const answer = ANSWERS[host] ?? (/^[\d.]+$|:/.test(host) ? [host] : undefined);
  if (!answer) throw Object.assign(new Error(`no such host ${host}`), { code: "ENOTFOUND" });
  return answer;
};

async function check(host: string, port: number, rules: EgressRule[], deny: { host: string; port: number }[] = [], own: string[] = []) {
  const policy: EgressPolicy = { rules, deny: await prepareDeny(deny, lookup), ownAddresses: () => new Set(own) };
  return checkTarget({ host, port }, policy, lookup);
}

describe("the egress check", () => {
  test("a listed public registry is allowed, at every address it resolved to", async () => {
    const out = await check("registry.npmjs.org", 443, [{ host: "Registry.NPMJS.org.", port: 443 }]);
    expect(out).toMatchObject({ allowed: true, addresses: ["104.16.0.35", "2606:4700::6810:2223"] });
  });

  test("an address of this machine is refused unless the user's own config names that registry", async () => {
    const rules = [{ host: "93.184.216.34", port: 6379 }];
    expect(await check("93.184.216.34", 6379, rules, [], ["93.184.216.34"])).toMatchObject({ allowed: false, status: 403, reason: expect.stringContaining("an address of this machine") });
    expect(await check("93.184.216.34", 6379, [{ ...rules[0]!, trustedLocal: true }], [], ["93.184.216.34"])).toMatchObject({ allowed: true });
    expect(await check("192.0.2.2", 443, [{ host: "192.0.2.2", port: 443 }])).toMatchObject({ allowed: false, status: 403 });
  });

  test("host:port must match a rule exactly", async () => {
    const rules = [{ host: "registry.npmjs.org", port: 443 }];
    expect(await check("registry.npmjs.org", 80, rules)).toMatchObject({ allowed: false, status: 403, reason: "registry.npmjs.org:80 is not an allowed registry host" });
    expect(await check("evil.registry.npmjs.org", 443, rules)).toMatchObject({ allowed: false, status: 403 });
    expect(await check("registry.npmjs.org.evil.test", 443, rules)).toMatchObject({ allowed: false, status: 403 });
  });

  test("every resolved address is checked, not just the first", async () => {
    const out = await check("split.test", 443, [{ host: "split.test", port: 443 }]);
    expect(out).toMatchObject({ allowed: false, status: 403 });
    expect(out.reason).toBe("split.test:443 resolves to 10.0.0.5, a private network address, which the sandbox may not reach unless this host is configured as a trusted local registry");
  });

  test("cloud metadata, its IPv4-mapped form, CGNAT and loopback names are refused unless trustedLocal", async () => {
    for (const host of ["metadata.test", "mapped.test", "cgnat.test", "local.test", "lan.test"]) {
      expect(await check(host, 80, [{ host, port: 80 }])).toMatchObject({ allowed: false, status: 403 });
    }
    expect((await check("mapped.test", 80, [{ host: "mapped.test", port: 80 }])).reason).toContain("169.254.169.254, a link-local address");
    expect(await check("lan.test", 4873, [{ host: "lan.test", port: 4873, trustedLocal: true }])).toMatchObject({ allowed: true, addresses: ["192.168.1.5"] });
    expect(await check("local.test", 4873, [{ host: "local.test", port: 4873, trustedLocal: true }])).toMatchObject({ allowed: true, addresses: ["127.0.0.1", "::1"] });
  });

  test("IP literal targets match rules whatever their spelling", async () => {
    const rules = [{ host: "[2606:4700::6810:2223]", port: 443 }];
    expect(await check("2606:4700:0:0:0:0:6810:2223", 443, rules)).toMatchObject({ allowed: true });
  });

  test("an answer that is not an IP address is refused even for a trusted host", async () => {
    expect(await check("weird.test", 80, [{ host: "weird.test", port: 80, trustedLocal: true }])).toMatchObject({ allowed: false, status: 403 });
  });

  test("a name that does not resolve is a 502, not a policy refusal", async () => {
    expect(await check("gone.test", 443, [{ host: "gone.test", port: 443 }])).toMatchObject({ allowed: false, status: 502, reason: "gone.test:443 could not be resolved (ENOTFOUND)" });
  });

  test("deny wins over trustedLocal: by name, by address, and by any of this machine's own addresses", async () => {
    const deny = [{ host: "127.0.0.1", port: 7777 }];
    const trusted = (host: string) => [{ host, port: 7777, trustedLocal: true }];
    expect(await check("127.0.0.1", 7777, trusted("127.0.0.1"), deny)).toMatchObject({ allowed: false, reason: "127.0.0.1:7777 is never reachable from the sandbox" });
    expect(await check("local.test", 7777, trusted("local.test"), deny)).toMatchObject({ allowed: false, status: 403 });
    expect(await check("::ffff:127.0.0.1", 7777, trusted("::ffff:127.0.0.1"), deny)).toMatchObject({ allowed: false, status: 403 });
    // 0.0.0.0 and the machine's own LAN address reach a listener on it too.
    expect(await check("0.0.0.0", 7777, trusted("0.0.0.0"), deny)).toMatchObject({ allowed: false, status: 403 });
    expect(await check("lan.test", 7777, trusted("lan.test"), deny, ["192.168.1.5"])).toMatchObject({ allowed: false, status: 403 });
    expect(await check("lan.test", 7777, trusted("lan.test"), deny)).toMatchObject({ allowed: true });
    expect(await check("127.0.0.1", 7778, [{ host: "127.0.0.1", port: 7778, trustedLocal: true }], deny)).toMatchObject({ allowed: true });
    // A deny entry given by name stands for the addresses it resolved to.
    expect(await check("127.0.0.1", 7777, trusted("127.0.0.1"), [{ host: "local.test", port: 7777 }])).toMatchObject({ allowed: false, status: 403 });
  });
});

describe("the egress check through an upstream proxy", () => {
  const loopbackProxy = { host: "127.0.0.1", port: 3128, authorization: null };
  async function via(host: string, rules: EgressRule[], proxy = loopbackProxy, deny: { host: string; port: number }[] = []) {
    const asked: string[] = [];
    const spy: Lookup = (name) => (asked.push(name), lookup(name));
    const policy: EgressPolicy = { rules, deny: await prepareDeny(deny, lookup), ownAddresses: () => new Set(["127.0.0.1"]) };
    return { out: await checkTarget({ host, port: 443 }, policy, spy, proxy), asked };
  }

  test("an allowed registry whose name does not resolve here is allowed: only the proxy's own name is looked up", async () => {
    const { out, asked } = await via("gone.test", [{ host: "gone.test", port: 443 }]);
    expect(out).toMatchObject({ allowed: true, addresses: ["127.0.0.1"], via: loopbackProxy });
    expect(asked).toEqual(["127.0.0.1"]);
  });

  test("a proxy on loopback (cntlm, px) is the user's own: allowed without trustedLocal", async () => {
    const { out } = await via("registry.npmjs.org", [{ host: "registry.npmjs.org", port: 443 }], { host: "local.test", port: 3128, authorization: null });
    expect(out).toMatchObject({ allowed: true, addresses: ["127.0.0.1", "::1"] });
  });

  test("the allowlist and deny still decide first, before anything is looked up", async () => {
    const unlisted = await via("evil.test", [{ host: "gone.test", port: 443 }]);
    expect(unlisted.out).toMatchObject({ allowed: false, status: 403, reason: "evil.test:443 is not an allowed registry host" });
    const denied = await via("gone.test", [{ host: "gone.test", port: 443, trustedLocal: true }], loopbackProxy, [{ host: "gone.test", port: 443 }]);
    expect(denied.out).toMatchObject({ allowed: false, status: 403 });
    expect([...unlisted.asked, ...denied.asked]).toEqual([]);
  });

  test("a proxy whose name does not resolve is a 502 naming the proxy", async () => {
    const { out } = await via("registry.npmjs.org", [{ host: "registry.npmjs.org", port: 443 }], { host: "proxy.gone.test", port: 8080, authorization: null });
    expect(out).toMatchObject({ allowed: false, status: 502, reason: "the upstream proxy proxy.gone.test:8080 could not be resolved (ENOTFOUND)" });
  });
});
