import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_DEPENDENCY_STEWARD } from "../src/config/dependency-steward-settings.ts";
import { JobFailure } from "../src/core/job-failure.ts";
import type { NpmConfigSources } from "../src/deps/npm-config.ts";
import { WriteContext } from "../src/jobs/transition.ts";
import { workItems } from "../src/planning/work-items.ts";
import { DEFAULT_POLICY } from "../src/policy/policy-defaults.ts";
import type { Policy } from "../src/policy/policy-schema.ts";
import { BULK_PATH } from "../src/registry/advisories.ts";
import { fetchPackuments } from "../src/registry/fetch-packuments.ts";
import { cacheFile } from "../src/registry/packument-cache.ts";
import { RegistryFailure } from "../src/registry/registry-failure.ts";
import { syncDependencyItems } from "../src/sources/dependency-updates/dependency-items.ts";
import { DepsScan } from "../src/sources/dependency-updates/deps-scan-result.ts";
import { SqliteStore } from "../src/store/sqlite-store.ts";
import { scanDependencies, type ScanOfCheckout, type ScanOptions } from "../src/updates/scan-dependencies.ts";
import { localServer, publishVersions, setPublishTimes, startAccessVerdaccio, type AccessRegistry, type LocalServer } from "./helpers/registry-fixture.ts";
import { tempDir } from "./helpers/temp.ts";
import { runNpm } from "./helpers/verdaccio.ts";

// Issue #16, the scan itself: scanDependencies on a real checkout (package.json + a package-lock.json real
// npm made against a real, offline Verdaccio), reading the registry through small local servers in front
// of Verdaccio that answer the audit endpoint with scripted advisories or break one package's document.
// Nothing leaves 127.0.0.1.

const MANIFEST = {
  name: "scanned-app",
  version: "1.0.0",
  private: true,
  dependencies: {
    "sec-lib": "~1.0.0",
    "routine-lib": "^1.0.0",
    "unfixable-lib": "^1.0.0",
    "fresh-lib": "^1.0.0",
    "timeless-lib": "^1.0.0",
    "denied-lib": "^1.0.0",
  },
  devDependencies: { "dev-tool": "~1.0.0" },
};
const NAMES = [...Object.keys(MANIFEST.dependencies), ...Object.keys(MANIFEST.devDependencies)].sort();
const BRANCH = "main";
const COMMIT = "c0ffee".padEnd(40, "0");

const scratch = tempDir("pushpals-dependency-scan-");
const checkout = join(scratch.path, "checkout");
let verdaccio: AccessRegistry;
const servers: LocalServer[] = [];
let caches = 0;

beforeAll(async () => {
  verdaccio = await startAccessVerdaccio();
  const { url, token } = verdaccio;
  for (const name of NAMES) await publishVersions(url, token, name, [{ version: "1.0.0" }]);
  // Locked by npm itself, before the newer releases exist: every dependency at 1.0.0.
  mkdirSync(checkout, { recursive: true });
  writeFileSync(join(checkout, "package.json"), `${JSON.stringify(MANIFEST, null, 2)}\n`);
  const userconfig = join(scratch.path, "dev.npmrc");
  writeFileSync(userconfig, `registry=${url}\n`);
  await runNpm(checkout, ["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"], { userconfig, cache: join(scratch.path, "npm-cache") });

  await publishVersions(url, token, "sec-lib", [{ version: "1.0.1" }, { version: "1.0.2" }, { version: "1.1.0" }]);
  await publishVersions(url, token, "routine-lib", [{ version: "1.1.0" }]);
  await publishVersions(url, token, "unfixable-lib", [{ version: "1.0.1" }, { version: "2.0.0" }]);
  await publishVersions(url, token, "fresh-lib", [{ version: "1.0.1" }, { version: "1.1.0" }]);
  await publishVersions(url, token, "timeless-lib", [{ version: "1.1.0" }]);
  await publishVersions(url, token, "denied-lib", [{ version: "1.1.0" }]);
  await publishVersions(url, token, "dev-tool", [{ version: "1.0.3" }]);
  for (const name of NAMES) setPublishTimes(verdaccio.storage, name, { "1.0.0": 60 });
  setPublishTimes(verdaccio.storage, "sec-lib", { "1.0.1": 30, "1.0.2": 20, "1.1.0": 10 });
  setPublishTimes(verdaccio.storage, "routine-lib", { "1.1.0": 10 });
  setPublishTimes(verdaccio.storage, "unfixable-lib", { "1.0.1": 10, "2.0.0": 1 });
  setPublishTimes(verdaccio.storage, "fresh-lib", { "1.0.1": 10, "1.1.0": 1 });
  setPublishTimes(verdaccio.storage, "timeless-lib", { "1.1.0": 10 });
  deletePublishTime(verdaccio.storage, "timeless-lib", "1.1.0");
  setPublishTimes(verdaccio.storage, "denied-lib", { "1.1.0": 10 });
  setPublishTimes(verdaccio.storage, "dev-tool", { "1.0.3": 10 });
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await verdaccio?.stop();
  scratch.cleanup();
});

/** Takes one version's publish time out of Verdaccio's stored document (as setPublishTimes edits it). */
function deletePublishTime(storage: string, name: string, version: string): void {
  const file = join(storage, name, "package.json");
  const doc = JSON.parse(readFileSync(file, "utf8")) as { time?: Record<string, string> };
  delete doc.time?.[version];
  writeFileSync(file, JSON.stringify(doc));
}

const advisory = (id: number, range: string, severity: string) => ({
  id,
  url: `https://github.com/advisories/GHSA-scan-${id}`,
  title: `advisory ${id}`,
  severity,
  vulnerable_versions: range,
  cwe: ["CWE-400"],
});
const SEC_ADVISORY = advisory(1001, "<1.0.2", "high");
const UNFIXABLE_ADVISORY = advisory(1002, "<2.0.0", "critical");

/** A registry in front of Verdaccio: `respond` answers what it wants, everything else reaches Verdaccio. */
function registry(respond: (req: Request, path: string) => Response | Promise<Response> | undefined): LocalServer {
  const server = localServer((req) => respond(req, decodeURIComponent(new URL(req.url).pathname)), verdaccio.url);
  servers.push(server);
  return server;
}

/** One whose audit endpoint knows two advisories (recording each bulk request's body). */
function auditingRegistry(): { server: LocalServer; asked: Record<string, string[]>[] } {
  const asked: Record<string, string[]>[] = [];
  const server = registry((req, path) => {
    if (path !== `/${BULK_PATH}`) return undefined;
    return req.json().then((body) => {
      asked.push(body as Record<string, string[]>);
      return Response.json({ "sec-lib": [SEC_ADVISORY], "unfixable-lib": [UNFIXABLE_ADVISORY] });
    });
  });
  return { server, asked };
}

/**
 * The user's npmrc: the server as the registry, with a token keyed to it (it must never show). Verdaccio
 * reads the packages here without one and ignores a token it did not issue (checking one it did takes it
 * ~150 ms a request).
 */
const TOKEN = "npm_DependencyScanTokenThatMustNeverShow0";
const npmConfig = (server: LocalServer): NpmConfigSources => ({
  user: [`registry=${server.url}`, `//127.0.0.1:${server.port}/:_authToken=${TOKEN}`, "fetch-retries=0"].join("\n"),
  project: null,
  env: {},
});
const freshCache = () => join(scratch.path, `cache-${++caches}`);

async function scan(server: LocalServer, extra: Partial<ScanOptions> = {}): Promise<{ result: ScanOfCheckout; log: string[] }> {
  const log: string[] = [];
  const result = await scanDependencies({
    dir: checkout,
    npmConfig: npmConfig(server),
    cacheDir: freshCache(),
    policy: DEFAULT_POLICY,
    settings: DEFAULT_DEPENDENCY_STEWARD,
    now: new Date(),
    log: (line) => log.push(line),
    maxBytes: 1_000_000,
    ...extra,
  });
  return { result, log };
}

/** The job's result, as the handler returns it and the server's schema reads it. */
const asDepsScan = (result: ScanOfCheckout): DepsScan => DepsScan.parse({ branch: BRANCH, commit: COMMIT, ...result });

const sync = (store: SqliteStore, result: DepsScan, now: number) => store.write(() => syncDependencyItems(new WriteContext(store, now), result));
const itemOf = (store: SqliteStore, groupKey: string) => workItems(store).getWorkItemByKey(`deps:${BRANCH}:${groupKey}`);

const routineGroups = (result: ScanOfCheckout) => result.groups.filter((g) => !g.key.startsWith("security-"));
const updatesOf = (result: ScanOfCheckout, name: string) => result.groups.flatMap((g) => g.updates.filter((u) => u.name === name).map((u) => ({ group: g.key, kind: u.kind, to: u.to })));
const passedOverOf = (result: ScanOfCheckout, name: string) => result.passedOver.filter((p) => p.name === name).map((p) => ({ kind: p.kind, version: p.version, reason: p.reason }));

async function failureOf(promise: Promise<unknown>): Promise<RegistryFailure> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof RegistryFailure) return err;
    throw err;
  }
  throw new Error("expected a RegistryFailure");
}

/** Everything of a failure a person or a record could see. */
const everything = (f: RegistryFailure) => `${f.message}\n${JSON.stringify(f.toFailure())}\n${JSON.stringify(f)}\n${String(f.stack)}`;

describe("security updates", () => {
  test("an advisory for a locked version: a security group first, with the smallest allowed fix; routine groups leave that dependency out", async () => {
    const { server, asked } = auditingRegistry();
    const { result } = await scan(server);

    // The audit endpoint was asked once, for every locked version.
    expect(asked).toEqual([Object.fromEntries(NAMES.map((n) => [n, ["1.0.0"]]))]);
    expect(result).toMatchObject({ ecosystem: "npm", lockfile: "package-lock.json", manifests: ["package.json"], complete: true, advisoriesUnsupported: [], registries: [server.url] });
    expect(result.detected.map((d) => `${d.name}@${d.locked}`).sort()).toEqual(NAMES.map((n) => `${n}@1.0.0`));

    const first = result.groups[0]!;
    expect(first.key).toBe("security-sec-lib");
    // ~1.0.0 locked at 1.0.0: 1.0.2 (in range, leaves "<1.0.2") before the minor 1.1.0.
    expect(first.updates.map((u) => ({ name: u.name, kind: u.kind, from: u.from, to: u.to, fromRange: u.fromRange, newRange: u.newRange }))).toEqual([
      { name: "sec-lib", kind: "in-range", from: "1.0.0", to: "1.0.2", fromRange: "~1.0.0", newRange: "~1.0.0" },
    ]);
    expect(first.security).toEqual([{ id: 1001, url: SEC_ADVISORY.url, title: "advisory 1001", severity: "high", vulnerableVersions: "<1.0.2", name: "sec-lib", version: "1.0.0" }]);
    expect(first.title).toBe("fix 1 advisory in sec-lib (1.0.0 -> 1.0.2)");
    expect(result.groups.filter((g) => g.key.startsWith("security-")).map((g) => g.key)).toEqual(["security-sec-lib"]);

    // Without its advisory, sec-lib's minor 1.1.0 would be a routine update (see the advisories-fail test): here only the fix carries it.
    expect(updatesOf(result, "sec-lib")).toEqual([{ group: "security-sec-lib", kind: "in-range", to: "1.0.2" }]);
    expect(routineGroups(result).map((g) => g.key).sort()).toEqual(["dev-non-major", "prod-non-major"]);
    expect(routineGroups(result).every((g) => g.security.length === 0)).toBe(true);

    // No allowed version leaves "<2.0.0" (2.0.0 is a day old): unfixed, with why, and no security group.
    expect(result.unfixed).toEqual([
      {
        name: "unfixable-lib",
        version: "1.0.0",
        manifestPath: "package.json",
        reason: "every allowed update is still inside an advisory's range",
        advisories: [{ id: 1002, url: UNFIXABLE_ADVISORY.url, title: "advisory 1002", severity: "critical", vulnerableVersions: "<2.0.0", name: "unfixable-lib", version: "1.0.0" }],
      },
    ]);

    // Filed: the security item above every routine one; the unfixed advisory files nothing.
    const store = new SqliteStore(":memory:");
    expect(sync(store, asDepsScan(result), 1_000)).toMatchObject({ added: 3, updated: 0, reopened: 0, closed: 0 });
    const items = workItems(store).listWorkItems({ limit: 100 });
    expect(items.map((i) => i.dedupeKey).sort()).toEqual(["deps:main:dev-non-major", "deps:main:prod-non-major", "deps:main:security-sec-lib"]);
    const security = itemOf(store, "security-sec-lib")!;
    expect(security).toMatchObject({ type: "dependency_update", state: "open", labels: ["dependencies", "security"], scope: ["package.json", "package-lock.json"] });
    const routine = items.filter((i) => i.id !== security.id);
    expect(routine.every((i) => i.priority < security.priority && !i.labels.includes("security"))).toBe(true);
    expect(items.some((i) => i.dedupeKey.includes("unfixable"))).toBe(false);
  });
});

describe("registry faults", () => {
  type Mode = "ok" | "404" | "500" | "malformed" | "429" | "hang";
  const FAILING = "routine-lib";
  let mode: Mode = "ok";
  let server: LocalServer;
  beforeAll(() => {
    server = registry((_req, path) => {
      if (path !== `/${FAILING}` || mode === "ok") return undefined;
      // An ETag on every bad answer: a cache that wrote before validating would keep it.
      const etag = { etag: `"bad-${mode}"` };
      if (mode === "404") return Response.json({ error: "not found" }, { status: 404, headers: etag });
      if (mode === "500") return new Response("internal error", { status: 500, headers: etag });
      if (mode === "429") return new Response("slow down", { status: 429, headers: { ...etag, "retry-after": "7" } });
      if (mode === "malformed") return new Response(`{"name": "${FAILING}", "versions": {`, { headers: { ...etag, "content-type": "application/json" } });
      return Bun.sleep(5_000).then(() => Response.json({ name: FAILING, versions: {} }));
    });
  });

  const expected: Record<Exclude<Mode, "ok" | "hang">, { fault: string; message: (host: string) => string }> = {
    "404": { fault: "not_found", message: (host) => `${FAILING} is not on the registry ${host} (HTTP 404): check the name, or that your npm configuration sends its scope to the registry that has it (@scope:registry)` },
    "500": { fault: "server_error", message: (host) => `the registry ${host} failed to send the document of ${FAILING} (HTTP 500)` },
    malformed: { fault: "malformed", message: (host) => `the registry ${host} sent a document for ${FAILING} that is not valid JSON` },
    "429": { fault: "rate_limited", message: (host) => `the registry ${host} is rate-limiting requests (HTTP 429, retry after 7 s) and did not send the document of ${FAILING}` },
  };

  for (const [kind, want] of Object.entries(expected) as [Exclude<Mode, "ok" | "hang">, (typeof expected)["404"]][]) {
    test(`${kind} for one package's document ends the scan: an environment RegistryFailure naming the package and host, no token, nothing cached for it`, async () => {
      mode = kind;
      const cacheDir = freshCache();
      const log: string[] = [];
      const f = await failureOf(scan(server, { cacheDir, log: (l) => log.push(l) }).then((r) => r.result));
      const host = `127.0.0.1:${server.port}`;
      expect(f).toBeInstanceOf(JobFailure);
      expect([f.failureClass, f.fault, f.packageName, f.registryHost, f.message]).toEqual(["environment", want.fault, FAILING, host, want.message(host)]);
      expect(f.toFailure().class).toBe("environment");
      if (kind === "404") expect(f.evidence.notRetryable).toBe(`${FAILING} is not on the registry`);
      // The token did travel with the request; it shows nowhere in the failure or the log.
      expect(server.seen.filter((s) => s.path === `/${FAILING}`).at(-1)!.authorization).toBe(`Bearer ${TOKEN}`);
      expect(everything(f)).not.toContain(TOKEN);
      expect(log.join("\n")).not.toContain(TOKEN);
      // Nothing half-written: no entry for the failed package, and whatever else landed is a whole entry.
      expect(existsSync(cacheFile(cacheDir, server.url, FAILING))).toBe(false);
      const files = existsSync(cacheDir) ? readdirSync(cacheDir) : [];
      expect(files.every((file) => /^[0-9a-f]{64}\.json$/.test(file))).toBe(true);
      expect(files.length).toBeLessThan(NAMES.length);
    });
  }

  test("a failing rescan leaves the cached document of the failed package exactly as it was", async () => {
    mode = "ok";
    const cacheDir = freshCache();
    await scan(server, { cacheDir });
    const entry = cacheFile(cacheDir, server.url, FAILING);
    const before = readFileSync(entry, "utf8");
    expect(JSON.parse(before)).toMatchObject({ v: 1, name: FAILING, registry: server.url });
    expect(readdirSync(cacheDir)).toHaveLength(NAMES.length);

    mode = "malformed";
    const f = await failureOf(scan(server, { cacheDir }));
    expect([f.fault, f.packageName]).toEqual(["malformed", FAILING]);
    expect(readFileSync(entry, "utf8")).toBe(before);
    expect(readdirSync(cacheDir).filter((file) => !/^[0-9a-f]{64}\.json$/.test(file))).toEqual([]);
  });

  // scanDependencies takes no timeout (fetchPackuments' default, 30 s, applies), so a hung document is
  // shown on the fetch the scan makes, with the scan's names and cache, and a short timeout.
  test("a hung document past the timeout: an environment timeout naming the package and host; nothing cached for it", async () => {
    mode = "hang";
    const cacheDir = freshCache();
    const started = Date.now();
    const f = await failureOf(fetchPackuments(NAMES, { npmConfig: npmConfig(server), cacheDir, timeoutMs: 1_000 }));
    const host = `127.0.0.1:${server.port}`;
    expect([f.failureClass, f.fault, f.packageName, f.registryHost, f.message]).toEqual(["environment", "timeout", FAILING, host, `the registry ${host} did not answer for ${FAILING} within 1 s`]);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(everything(f)).not.toContain(TOKEN);
    expect(existsSync(cacheFile(cacheDir, server.url, FAILING))).toBe(false);
  });
});

describe("advisories that cannot be read", () => {
  test("a 500 from the audit endpoint: the routine groups, complete: false and a note; syncing it closes nothing", async () => {
    const broken = registry((_req, path) => (path === `/${BULK_PATH}` ? new Response("audit down", { status: 500 }) : undefined));
    const { result } = await scan(broken);
    const host = `127.0.0.1:${broken.port}`;
    expect(result.complete).toBe(false);
    expect(result.groups.map((g) => g.key).sort()).toEqual(["dev-non-major", "prod-non-major"]);
    expect(result.unfixed).toEqual([]);
    // With no advisory known, sec-lib is a routine update to its newest allowed minor.
    expect(updatesOf(result, "sec-lib")).toEqual([{ group: "prod-non-major", kind: "minor", to: "1.1.0" }]);
    const note = result.notes.find((n) => n.startsWith("advisories could not be read"));
    expect(note).toBe(
      `advisories could not be read (the registry ${host} failed to send the advisories of ${NAMES.length} packages (${NAMES[0]} and ${NAMES.length - 1} more) (HTTP 500)): security updates are not known this scan, and no item closes`,
    );
    expect(JSON.stringify(result)).not.toContain(TOKEN);

    // Items from an earlier complete scan (with the security group), then this one: the vanished group stays open.
    const { server: auditing } = auditingRegistry();
    const before = (await scan(auditing)).result;
    const store = new SqliteStore(":memory:");
    sync(store, asDepsScan(before), 1_000);
    expect(itemOf(store, "security-sec-lib")!.state).toBe("open");
    const counts = sync(store, asDepsScan(result), 2_000);
    expect(counts.closed).toBe(0);
    expect(itemOf(store, "security-sec-lib")!.state).toBe("open");
    expect(workItems(store).listWorkItems({ limit: 100 }).every((i) => i.state === "open")).toBe(true);
    // The same groups from a complete scan would close it: `complete: false` is what kept it.
    expect(sync(store, asDepsScan({ ...result, complete: true }), 3_000).closed).toBe(1);
    expect(itemOf(store, "security-sec-lib")!.state).toBe("done");
  });
});

describe("minimum release age", () => {
  test("a day-old version is too new under the default 3 days; a version without a publish time is passed over (fail closed)", async () => {
    expect(DEFAULT_POLICY.dependencies.min_release_age_days).toBe(3);
    // The fixture is what it says: timeless-lib 1.1.0 is on the registry, without a publish time.
    const doc = (await (await fetch(`${verdaccio.url}timeless-lib`, { headers: { accept: "application/json" } })).json()) as { versions: Record<string, unknown>; time: Record<string, string> };
    expect(Object.keys(doc.versions).sort()).toEqual(["1.0.0", "1.1.0"]);
    expect(doc.time["1.1.0"]).toBeUndefined();
    expect(doc.time["1.0.0"]).toBeDefined();

    const { server } = auditingRegistry();
    const { result } = await scan(server);
    expect(passedOverOf(result, "fresh-lib")).toEqual([
      { kind: "in-range", version: "1.1.0", reason: "too new: 1 days < 3" },
      { kind: "minor", version: "1.1.0", reason: "too new: 1 days < 3" },
    ]);
    // The older, old-enough release is offered instead.
    expect(updatesOf(result, "fresh-lib")).toEqual([{ group: "prod-non-major", kind: "minor", to: "1.0.1" }]);
    expect(passedOverOf(result, "timeless-lib")).toEqual([
      { kind: "in-range", version: "1.1.0", reason: "no publish time" },
      { kind: "minor", version: "1.1.0", reason: "no publish time" },
    ]);
    expect(updatesOf(result, "timeless-lib")).toEqual([]);
    expect(passedOverOf(result, "unfixable-lib")).toContainEqual({ kind: "major", version: "2.0.0", reason: "too new: 1 days < 3" });

    // With no minimum age both are offered: the policy is what held them back.
    const policy: Pick<Policy, "dependencies"> = { dependencies: { ...DEFAULT_POLICY.dependencies, min_release_age_days: 0 } };
    const anyAge = (await scan(server, { policy })).result;
    expect(updatesOf(anyAge, "fresh-lib")).toEqual([{ group: "prod-non-major", kind: "minor", to: "1.1.0" }]);
    expect(updatesOf(anyAge, "timeless-lib")).toEqual([{ group: "prod-non-major", kind: "minor", to: "1.1.0" }]);
    expect(passedOverOf(anyAge, "timeless-lib")).toEqual([]);
  });
});

describe("denied packages", () => {
  test("a package policy denies is passed over whole: no routine update, and no security fix either", async () => {
    const { server } = auditingRegistry();
    const allowed = (await scan(server)).result;
    expect(updatesOf(allowed, "denied-lib")).toEqual([{ group: "prod-non-major", kind: "minor", to: "1.1.0" }]);

    const policy: Pick<Policy, "dependencies"> = { dependencies: { ...DEFAULT_POLICY.dependencies, denied_packages: ["denied-*", "sec-lib"] } };
    const { result } = await scan(server, { policy });
    const whole = [{ kind: null, version: null, reason: "denied by policy (dependencies.denied_packages)" }];
    expect(passedOverOf(result, "denied-lib")).toEqual(whole);
    expect(passedOverOf(result, "sec-lib")).toEqual(whole);
    expect(updatesOf(result, "denied-lib")).toEqual([]);
    expect(updatesOf(result, "sec-lib")).toEqual([]);
    expect(result.groups.map((g) => g.key).sort()).toEqual(["dev-non-major", "prod-non-major"]);
    // Its advisory is still known: listed as unfixed, since no update of it is allowed.
    expect(result.unfixed.map((u) => [u.name, u.reason])).toEqual([
      ["sec-lib", "no update the policy allows (see the passed-over versions)"],
      ["unfixable-lib", "every allowed update is still inside an advisory's range"],
    ]);
    // The rest is untouched.
    expect(updatesOf(result, "routine-lib")).toEqual([{ group: "prod-non-major", kind: "minor", to: "1.1.0" }]);
  });
});
