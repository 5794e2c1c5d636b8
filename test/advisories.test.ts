import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { NpmConfigSources } from "../src/deps/npm-config.ts";
import { BULK_PATH, fetchAdvisories } from "../src/registry/advisories.ts";
import { RegistryFailure } from "../src/registry/registry-failure.ts";
import { localServer, publishVersions, startAccessVerdaccio, type AccessRegistry, type LocalServer } from "./helpers/registry-fixture.ts";

// Issue #16, advisories: Verdaccio (real, offline) has no audit service of its own and, without its audit
// plugin, answers the bulk request 404. Local servers in front of it answer the bulk request with a scripted
// advisory list (recording what was asked) and forward everything else to Verdaccio. Nothing leaves 127.0.0.1.

interface Asked {
  authorization: string | null;
  contentType: string | null;
  body: Record<string, string[]>;
}

let verdaccio: AccessRegistry;
const servers: LocalServer[] = [];

beforeAll(async () => {
  verdaccio = await startAccessVerdaccio();
  await publishVersions(verdaccio.url, verdaccio.token, "lib-a", [{ version: "1.0.0" }, { version: "1.1.0" }]);
}, 30_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await verdaccio?.stop();
});

const advisory = (id: number, range: string, severity = "high") => ({
  id,
  url: `https://github.com/advisories/GHSA-test-${id}`,
  title: `advisory ${id}`,
  severity,
  vulnerable_versions: range,
  cwe: ["CWE-400"],
  cvss: { score: 7.5, vectorString: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H" },
});

/** A registry in front of Verdaccio whose bulk endpoint answers `answer(asked)`. */
function auditRegistry(answer: (asked: Record<string, string[]>) => Response | Promise<Response>): { server: LocalServer; asked: Asked[] } {
  const asked: Asked[] = [];
  const server = localServer((req) => {
    if (new URL(req.url).pathname !== `/${BULK_PATH}`) return undefined;
    return req.json().then((json) => {
      const body = json as Record<string, string[]>;
      asked.push({ authorization: req.headers.get("authorization"), contentType: req.headers.get("content-type"), body });
      return answer(body);
    });
  }, verdaccio.url);
  servers.push(server);
  return { server, asked };
}

const config = (lines: string[]): NpmConfigSources => ({ user: ["fetch-retries=0", ...lines].join("\n"), project: null, env: {} });

async function failureOf(promise: Promise<unknown>): Promise<RegistryFailure> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof RegistryFailure) return err;
    throw err;
  }
  throw new Error("expected a RegistryFailure");
}

describe("advisories of locked versions", () => {
  test("the request lists the asked names and versions; only advisories whose range includes an asked version come back", async () => {
    const { server, asked } = auditRegistry(() =>
      Response.json({
        "lib-a": [advisory(1, "<1.0.5"), advisory(2, ">=2.0.0 <2.3.1", "critical"), advisory(1, "<1.0.5"), advisory(3, ">=1.1.0-beta.0 <1.1.0", "low")],
        "lib-b": [advisory(4, "*", "moderate")],
        "not-asked": [advisory(5, "*")],
      }),
    );
    const report = await fetchAdvisories(
      new Map([
        ["lib-b", ["3.0.0"]],
        ["lib-a", ["1.0.0", "1.1.0-beta.2", "1.0.0", "git+https://example.test/x.git"]],
        ["lib-local", ["file:../lib"]],
      ]),
      { npmConfig: config([`registry=${server.url}`]) },
    );
    expect(asked).toHaveLength(1);
    expect(asked[0]!.body).toEqual({ "lib-a": ["1.0.0", "1.1.0-beta.2"], "lib-b": ["3.0.0"] });
    expect(asked[0]!.contentType).toContain("application/json");
    expect([...report.advisories.keys()]).toEqual(["lib-a", "lib-b"]);
    expect(report.advisories.get("lib-a")!.map((a) => a.id)).toEqual([1, 3]);
    expect(report.advisories.get("lib-a")![0]).toEqual({ id: 1, url: "https://github.com/advisories/GHSA-test-1", title: "advisory 1", severity: "high", vulnerableVersions: "<1.0.5" });
    expect(report.unsupported).toEqual([]);
    // Verdaccio behind the same registry still answers everything else.
    expect((await fetch(`${server.url}lib-a`)).status).toBe(200);
  });

  test("a scoped package goes to its scope's registry, with that registry's token only; big requests are chunked", async () => {
    const publicRegistry = auditRegistry((body) => Response.json(Object.fromEntries(Object.keys(body).map((n) => [n, [advisory(10, "<2.0.0")]]))));
    const privateRegistry = auditRegistry(() => Response.json({ "@private/x": [advisory(20, "1.0.0")] }));
    const token = "npm_AdvisoriesPrivateTokenNeverShown000";
    const packages = new Map<string, string[]>([["@private/x", ["1.0.0"]]]);
    for (let i = 0; i < 1_100; i++) packages.set(`pkg-${String(i).padStart(4, "0")}`, ["1.0.0"]);
    const report = await fetchAdvisories(packages, {
      npmConfig: config([`registry=${publicRegistry.server.url}`, `@private:registry=${privateRegistry.server.url}`, `//127.0.0.1:${privateRegistry.server.port}/:_authToken=${token}`]),
    });
    expect(privateRegistry.asked.map((a) => [a.body, a.authorization])).toEqual([[{ "@private/x": ["1.0.0"] }, `Bearer ${token}`]]);
    expect(publicRegistry.asked.map((a) => Object.keys(a.body).length)).toEqual([500, 500, 100]);
    expect(publicRegistry.asked.every((a) => a.authorization === null && !("@private/x" in a.body))).toBe(true);
    expect(report.advisories.size).toBe(1_101);
    expect(report.advisories.get("@private/x")!.map((a) => a.id)).toEqual([20]);
  });

  test("a registry with no audit service (Verdaccio's own 404, a 405 or 501) is listed as unsupported, not a failure", async () => {
    const direct = await fetchAdvisories(new Map([["lib-a", ["1.0.0"]]]), { npmConfig: config([`registry=${verdaccio.url}`]) });
    expect(direct).toEqual({ advisories: new Map(), unsupported: [`127.0.0.1:${verdaccio.port}`] });

    const refusing = auditRegistry(() => new Response("no", { status: 405 }));
    const working = auditRegistry(() => Response.json({ "@scoped/y": [advisory(30, "*")] }));
    const mixed = await fetchAdvisories(new Map([["lib-a", ["1.0.0"]], ["@scoped/y", ["1.0.0"]]]), { npmConfig: config([`registry=${refusing.server.url}`, `@scoped:registry=${working.server.url}`]) });
    expect(mixed.unsupported).toEqual([`127.0.0.1:${refusing.server.port}`]);
    expect([...mixed.advisories.keys()]).toEqual(["@scoped/y"]);
  });

  test("5xx, malformed JSON and a wrong shape are RegistryFailures naming the registry's host; the token never shows", async () => {
    const token = "npm_AdvisoriesTokenThatMustNeverShow00";
    const answers: Record<string, () => Response> = {
      down: () => new Response("down", { status: 503 }),
      broken: () => new Response('{"lib-a": [', { headers: { "content-type": "application/json" } }),
      shapeless: () => Response.json({ "lib-a": [{ ...advisory(1, "*"), severity: "apocalyptic" }] }),
    };
    for (const [kind, answer] of Object.entries(answers)) {
      const { server } = auditRegistry(answer);
      const f = await failureOf(fetchAdvisories(new Map([["lib-a", ["1.0.0"]]]), { npmConfig: config([`registry=${server.url}`, `//127.0.0.1:${server.port}/:_authToken=${token}`]) }));
      const host = `127.0.0.1:${server.port}`;
      expect([kind, f.failureClass, f.registryHost, f.packageName]).toEqual([kind, "environment", host, "lib-a"]);
      expect(`${f.message}${JSON.stringify(f.toFailure())}`).not.toContain(token);
      if (kind === "down") expect([f.fault, f.message]).toEqual(["server_error", `the registry ${host} failed to send the advisories of lib-a (HTTP 503)`]);
      if (kind === "broken") expect([f.fault, f.message]).toEqual(["malformed", `the registry ${host} sent the advisories of lib-a as something that is not valid JSON`]);
      if (kind === "shapeless") {
        expect(f.fault).toBe("malformed");
        expect(f.message).toStartWith(`the registry ${host} sent the advisories of lib-a in a shape that is not the bulk advisory answer (`);
        expect(f.message).toContain("at lib-a.0.severity");
      }
    }
  });

  test("a registry that does not answer in time, a cancelled signal, a registry only the commit names", async () => {
    const { server } = auditRegistry(() => Bun.sleep(3_000).then(() => Response.json({})));
    const slow = await failureOf(fetchAdvisories(new Map([["lib-a", ["1.0.0"]], ["lib-b", ["1.0.0"]]]), { npmConfig: config([`registry=${server.url}`]), timeoutMs: 300 }));
    expect([slow.fault, slow.message]).toEqual(["timeout", `the registry 127.0.0.1:${server.port} did not answer for the advisories of 2 packages (lib-a and 1 more) within 0.3 s`]);

    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const cancelled = await failureOf(fetchAdvisories(new Map([["lib-a", ["1.0.0"]]]), { npmConfig: config([`registry=${server.url}`]), signal: controller.signal }));
    expect([cancelled.failureClass, cancelled.fault]).toEqual(["cancelled", "cancelled"]);

    const planted = auditRegistry(() => Response.json({}));
    const denied = await failureOf(fetchAdvisories(new Map([["lib-a", ["1.0.0"]]]), { npmConfig: { user: null, project: `registry=${planted.server.url}\n`, env: {} } }));
    expect([denied.failureClass, denied.fault]).toEqual(["policy_denied", "registry_not_allowed"]);
    expect(planted.asked).toEqual([]);
    expect(await fetchAdvisories(new Map(), { npmConfig: config([]) })).toEqual({ advisories: new Map(), unsupported: [] });
  });
});
