import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { NpmConfigSources } from "../src/deps/npm-config.ts";
import { RegistryFailure } from "../src/registry/registry-failure.ts";
import { fetchReleaseNotes, type ReleaseNotes, type ReleaseNotesRequest } from "../src/updates/release-notes.ts";
import { localServer, packageTarball, type LocalServer } from "./helpers/registry-fixture.ts";
import { publishTarball, startVerdaccio, type LocalRegistry } from "./helpers/verdaccio.ts";

// Issue #16, release notes: real tarballs, packed and published by npm into a real Verdaccio (offline),
// read back through npm-registry-fetch; recording forwarders show what reached a registry. Nothing leaves 127.0.0.1.

const ZWJ = "\u200D";
let verdaccio: LocalRegistry;
const servers: LocalServer[] = [];

/** Newest first, in both heading styles; each version's tarball has the changelog as it was then. */
function changelog(upTo: string): string {
  const sections: [string, string][] = [
    ["2.0.0", "## [2.0.0](https://example.test/compare/v1.2.0...v2.0.0) (2024-04-01)\n\n### Breaking\n\n- drops node 16\n"],
    ["1.2.0", "# v1.2.0\n\n- faster parsing, thanks @alice\n"],
    ["1.1.0", "1.1.0 / 2024-02-01\n==================\n\n- adds `parse()` options\n"],
    ["1.0.0", "1.0.0 / 2024-01-01\n------------------\n\n- first release\n"],
  ];
  const from = sections.findIndex(([v]) => v === upTo);
  return `Changelog\n=========\n\n${sections.slice(from).map(([, text]) => text).join("\n")}`;
}

beforeAll(async () => {
  verdaccio = await startVerdaccio({
    packages: [
      ...["1.0.0", "1.1.0", "1.2.0", "2.0.0"].map((version) => ({ name: "notes-lib", version, files: { "CHANGELOG.md": changelog(version), "index.js": "module.exports = 1;\n" } })),
      { name: "plain-lib", version: "1.0.0", files: { "index.js": "module.exports = 1;\n" } },
      // A changelog below the root is not the package's.
      { name: "plain-lib", version: "1.1.0", files: { "index.js": "module.exports = 1;\n", "docs/CHANGELOG.md": changelog("1.1.0") } },
    ],
  });
  const history = `1.1.0\n-----\n- from HISTORY\n`;
  // Published as they are: a HISTORY file of another case and extension, under a top folder npm does not name.
  await publishTarball(verdaccio.url, "", packageTarball({ "package/package.json": JSON.stringify({ name: "history-lib", version: "1.1.0" }), "history-lib/History.markdown": history }));
  // A changelog past 1 MiB: what lies beyond is not read.
  const big = `## 1.1.0\n- big\n\n${"filler line\n".repeat(110_000)}## 1.0.5\n- past the first MiB\n`;
  await publishTarball(verdaccio.url, "", packageTarball({ "package/package.json": JSON.stringify({ name: "big-notes", version: "1.1.0" }), "package/CHANGELOG.md": big }));
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await verdaccio?.stop();
});

const npmConfig = (registry = verdaccio.url, lines: string[] = []): NpmConfigSources => ({ user: [`registry=${registry}`, "fetch-retries=0", ...lines].join("\n"), project: null, env: {} });

/** `dist` of a version, as the registry's document has it. */
async function dist(name: string, version: string, registry = verdaccio.url): Promise<{ tarball: string; integrity: string }> {
  const doc = (await (await fetch(`${registry}${name}`)).json()) as { versions: Record<string, { dist: { tarball: string; integrity: string } }> };
  return doc.versions[version]!.dist;
}

async function request(name: string, from: string, to: string): Promise<ReleaseNotesRequest> {
  const d = await dist(name, to);
  return { name, from, to, tarball: d.tarball, integrity: d.integrity };
}

function why(notes: ReleaseNotes): string {
  if (notes.found) throw new Error(`expected no notes, got ${JSON.stringify(notes)}`);
  return notes.why;
}

describe("release notes from the published tarball", () => {
  test("exactly the versions after `from` up to `to`, from the tarball of `to`, integrity checked, mentions made inert", async () => {
    const notes = await fetchReleaseNotes(await request("notes-lib", "1.0.0", "1.2.0"), { npmConfig: npmConfig() });
    expect(notes).toEqual({
      found: true,
      file: "CHANGELOG.md",
      sections: [
        { version: "1.2.0", text: `- faster parsing, thanks @${ZWJ}alice` },
        { version: "1.1.0", text: "- adds `parse()` options" },
      ],
      truncated: false,
    });
    const major = await fetchReleaseNotes(await request("notes-lib", "1.2.0", "2.0.0"), { npmConfig: npmConfig() });
    expect(major.found && major.sections.map((s) => [s.version, s.text])).toEqual([["2.0.0", "### Breaking\n\n- drops node 16"]]);
  });

  test("HISTORY in another case and extension, under an odd top folder; no integrity given is read unchecked", async () => {
    const d = await dist("history-lib", "1.1.0");
    const notes = await fetchReleaseNotes({ name: "history-lib", from: "1.0.0", to: "1.1.0", tarball: d.tarball, integrity: null }, { npmConfig: npmConfig() });
    expect(notes).toEqual({ found: true, file: "History.markdown", sections: [{ version: "1.1.0", text: "- from HISTORY" }], truncated: false });
  });

  test("only the first MiB of a changelog is read, and the notes say they are cut", async () => {
    const notes = await fetchReleaseNotes(await request("big-notes", "1.0.0", "1.1.0"), { npmConfig: npmConfig() });
    expect(notes.found && notes.sections.map((s) => s.version)).toEqual(["1.1.0"]);
    expect(notes.found && notes.sections[0]!.text.length).toBeLessThanOrEqual(4_000);
    expect(notes.found && notes.truncated).toBe(true);
  });

  test("no changelog at the root, or none naming the versions: found false, with why", async () => {
    expect(why(await fetchReleaseNotes(await request("plain-lib", "1.0.0", "1.1.0"), { npmConfig: npmConfig() }))).toBe("plain-lib@1.1.0 ships no changelog (CHANGELOG, HISTORY, CHANGES, RELEASES or NEWS at its root)");
    // The tarball of 2.0.0 asked for 2.0.1's notes: its changelog has no such section.
    expect(why(await fetchReleaseNotes({ ...(await request("notes-lib", "1.2.0", "2.0.0")), from: "2.0.0", to: "2.0.1" }, { npmConfig: npmConfig() }))).toBe(
      "CHANGELOG.md of notes-lib@2.0.1 has no section for a version after 2.0.0 up to 2.0.1",
    );
  });

  test("an integrity that does not match, or that cannot be checked, is not read", async () => {
    const req = await request("notes-lib", "1.0.0", "1.2.0");
    const other = (await dist("notes-lib", "1.1.0")).integrity;
    expect(why(await fetchReleaseNotes({ ...req, integrity: other }, { npmConfig: npmConfig() }))).toBe(`the tarball of notes-lib@1.2.0 from 127.0.0.1:${verdaccio.port} does not match its integrity: it was not read`);
    expect(why(await fetchReleaseNotes({ ...req, integrity: "md5-AAAA" }, { npmConfig: npmConfig() }))).toContain("has an integrity PushPals cannot check");
    // A list of hashes: the strongest algorithm decides.
    const sha1 = `sha1-${Buffer.from("0".repeat(40), "hex").toString("base64")}`;
    expect((await fetchReleaseNotes({ ...req, integrity: `${sha1} ${req.integrity}` }, { npmConfig: npmConfig() })).found).toBe(true);
  });

  test("a missing tarball (404) and one above the size limit: found false", async () => {
    const req = await request("notes-lib", "1.0.0", "1.2.0");
    expect(why(await fetchReleaseNotes({ ...req, tarball: req.tarball.replace("notes-lib-1.2.0.tgz", "notes-lib-9.9.9.tgz") }, { npmConfig: npmConfig() }))).toBe(
      `the registry 127.0.0.1:${verdaccio.port} does not have the tarball of notes-lib@1.2.0 (HTTP 404)`,
    );
    expect(why(await fetchReleaseNotes(req, { npmConfig: npmConfig(), maxTarballBytes: 200 }))).toBe("the tarball of notes-lib@1.2.0 is larger than 200 bytes, more than PushPals reads for release notes");
    expect((await fetchReleaseNotes(req, { npmConfig: npmConfig(), maxTarballBytes: 1024 * 1024 })).found).toBe(true);
  });

  test("only from the package's registry: another origin is refused unrequested; the registry's token goes with its own tarball", async () => {
    const token = "npm_ReleaseNotesTokenMustNotLeak0000000";
    const registry = localServer(() => undefined, verdaccio.url);
    const elsewhere = localServer(() => new Response("never", { status: 500 }));
    servers.push(registry, elsewhere);
    const config = npmConfig(registry.url, [`//127.0.0.1:${registry.port}/:_authToken=${token}`]);
    const req = await request("notes-lib", "1.0.0", "1.2.0");
    const path = new URL(req.tarball).pathname;

    const notes = await fetchReleaseNotes({ ...req, tarball: `${registry.url}${path.slice(1)}` }, { npmConfig: config });
    expect(notes.found).toBe(true);
    expect(registry.seen.map((s) => [s.path, s.authorization])).toEqual([[path, `Bearer ${token}`]]);

    const refused = why(await fetchReleaseNotes({ ...req, tarball: `${elsewhere.url}${path.slice(1)}` }, { npmConfig: config }));
    expect(refused).toBe(`the tarball of notes-lib@1.2.0 is on 127.0.0.1:${elsewhere.port}, not on the package's registry 127.0.0.1:${registry.port}: PushPals downloads a tarball only from the registry the package comes from`);
    expect(elsewhere.seen).toEqual([]);
    expect(why(await fetchReleaseNotes({ ...req, tarball: `http://user:${token}@127.0.0.1:${registry.port}${path}` }, { npmConfig: config }))).not.toContain(token);
    expect(registry.seen).toHaveLength(1);

    // As npm does by default, a registry.npmjs.org tarball is read from the configured registry.
    const rewritten = await fetchReleaseNotes({ ...req, tarball: `https://registry.npmjs.org${path}` }, { npmConfig: config });
    expect(rewritten.found).toBe(true);
    expect(registry.seen.at(-1)!.path).toBe(path);
  });

  test("what a broken registry sends is no notes, not a failure; a cancelled signal throws", async () => {
    const server = localServer((req) => {
      const path = new URL(req.url).pathname;
      if (path.endsWith("garbage.tgz")) return new Response("this is not a tarball at all");
      if (path.endsWith("bad-tar.tgz")) return new Response(Bun.gzipSync(Buffer.from("x".repeat(5_000))));
      if (path.endsWith("down.tgz")) return new Response("down", { status: 503 });
      return Bun.sleep(3_000).then(() => new Response("late"));
    });
    servers.push(server);
    const base = { name: "notes-lib", from: "1.0.0", to: "1.2.0" };
    const options = { npmConfig: npmConfig(server.url), timeoutMs: 2_000 };
    expect(why(await fetchReleaseNotes({ ...base, tarball: `${server.url}garbage.tgz` }, options))).toBe("the tarball of notes-lib@1.2.0 is not a readable tar archive");
    expect(why(await fetchReleaseNotes({ ...base, tarball: `${server.url}bad-tar.tgz` }, options))).toBe("the tarball of notes-lib@1.2.0 is not a readable tar archive");
    expect(why(await fetchReleaseNotes({ ...base, tarball: `${server.url}down.tgz` }, options))).toBe(`the registry 127.0.0.1:${server.port} failed to send the tarball of notes-lib@1.2.0 (HTTP 503)`);
    expect(why(await fetchReleaseNotes({ ...base, tarball: `${server.url}slow.tgz` }, { ...options, timeoutMs: 300 }))).toBe(`the registry 127.0.0.1:${server.port} did not answer for notes-lib@1.2.0 within 0.3 s`);
    expect(why(await fetchReleaseNotes({ ...base, from: "1.2.0", tarball: `${server.url}x.tgz` }, options))).toBe("notes-lib: no version comes after 1.2.0 up to 1.2.0");

    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const cancelled = await fetchReleaseNotes({ ...base, tarball: `${server.url}slow.tgz` }, { ...options, signal: controller.signal }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(cancelled).toBeInstanceOf(RegistryFailure);
    expect([(cancelled as RegistryFailure).failureClass, (cancelled as RegistryFailure).fault]).toEqual(["cancelled", "cancelled"]);
  });
});
