/**
 * For tests only: a real Verdaccio on 127.0.0.1 (offline: no uplinks) whose `@private/*` packages need a
 * logged-in user, packages published to it with chosen version fields (deprecated, engines), and small
 * local HTTP servers standing in for a registry that misbehaves (and one that records what reached it).
 * test/helpers/verdaccio.ts's registry lets anyone read anything, so it cannot show a credential at work.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { tempDir } from "./temp.ts";
import { registryNpmEnv } from "./verdaccio.ts";

const HOST = "127.0.0.1";
const VERDACCIO_BIN = join(dirname(Bun.resolveSync("verdaccio/package.json", import.meta.dir)), "bin", "verdaccio");

export interface AccessRegistry {
  /** With a trailing slash. */
  url: string;
  port: number;
  /** A logged-in user's token: it may read `@private/*`. */
  token: string;
  /** Verdaccio's storage: `<storage>/<name>/package.json` is the package's document. */
  storage: string;
  stop(): Promise<void>;
}

export interface VersionFields {
  version: string;
  deprecated?: string;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  /** Extra files of the tarball, relative to its `package/` folder (a CHANGELOG.md...); not package.json fields. */
  files?: Record<string, string>;
}

/** Starts Verdaccio (`@private/*`: `$authenticated`; everything else: anyone) and logs a user in. */
export async function startAccessVerdaccio(): Promise<AccessRegistry> {
  const dir = tempDir("pushpals-access-verdaccio-");
  const config = {
    storage: join(dir.path, "storage"),
    auth: { htpasswd: { file: join(dir.path, "htpasswd"), max_users: 100 } },
    uplinks: {},
    packages: { "@private/*": { access: "$authenticated", publish: "$authenticated" }, "**": { access: "$all", publish: "$all" } },
    web: { enable: false },
    log: { type: "stderr", format: "pretty", level: "error" },
  };
  const configFile = join(dir.path, "config.yaml");
  writeFileSync(configFile, JSON.stringify(config));
  for (let attempt = 1; ; attempt++) {
    const port = freePort();
    const proc = Bun.spawn([process.execPath, VERDACCIO_BIN, "--config", configFile, "--listen", `${HOST}:${port}`], { cwd: dir.path, stdin: "ignore", stdout: "ignore", stderr: "pipe", env: registryNpmEnv() });
    const onExit = () => proc.kill("SIGKILL");
    process.on("exit", onExit);
    const stop = async () => {
      process.off("exit", onExit);
      proc.kill("SIGTERM");
      await proc.exited;
      dir.cleanup();
    };
    const url = `http://${HOST}:${port}/`;
    if (await ready(proc, url)) {
      try {
        return { url, port, token: await createUser(url, "alice"), storage: config.storage, stop };
      } catch (err) {
        await stop();
        throw err;
      }
    }
    process.off("exit", onExit);
    proc.kill("SIGKILL");
    await proc.exited;
    if (attempt >= 3) {
      dir.cleanup();
      throw new Error(`verdaccio did not start: ${await new Response(proc.stderr).text()}`);
    }
  }
}

async function ready(proc: Bun.Subprocess, url: string): Promise<boolean> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && proc.exitCode === null) {
    try {
      const res = await fetch(`${url}-/ping`, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (res.ok) return true;
    } catch {
      // Not listening yet.
    }
    await Bun.sleep(50);
  }
  return false;
}

export async function createUser(url: string, name: string): Promise<string> {
  const res = await fetch(`${url}-/user/org.couchdb.user:${name}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, password: `${name}-password`, type: "user", roles: [] }),
  });
  const body = (await res.json()) as { token?: string };
  if (!res.ok || typeof body.token !== "string") throw new Error(`creating ${name} on ${url} failed (HTTP ${res.status})`);
  return body.token;
}

/**
 * Publishes the versions of one package, in order, each with its fields as given (npm's publish body, with
 * a real tarball holding its package.json, so a package manager can install it). Verdaccio records each
 * version's publish time itself.
 */
export async function publishVersions(url: string, token: string, name: string, versions: VersionFields[]): Promise<void> {
  for (const { files = {}, ...fields } of versions) {
    const extra = Object.fromEntries(Object.entries(files).map(([path, text]) => [`package/${path}`, text]));
    const data = packageTarball({ "package/package.json": `${JSON.stringify({ name, license: "MIT", ...fields }, null, 2)}\n`, "package/index.js": `module.exports = ${JSON.stringify(`${name}@${fields.version}`)};\n`, ...extra });
    const file = `${name.split("/").pop()}-${fields.version}.tgz`;
    const dist = {
      tarball: `${url}${name}/-/${file}`,
      shasum: createHash("sha1").update(data).digest("hex"),
      integrity: `sha512-${createHash("sha512").update(data).digest("base64")}`,
    };
    const tag = fields.version.includes("-") ? "next" : "latest";
    const body = {
      _id: name,
      name,
      "dist-tags": { [tag]: fields.version },
      versions: { [fields.version]: { name, _id: `${name}@${fields.version}`, ...fields, dist } },
      _attachments: { [file]: { content_type: "application/octet-stream", data: data.toString("base64"), length: data.length } },
    };
    const res = await fetch(`${url}${name.replace("/", "%2f")}`, { method: "PUT", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`publishing ${name}@${fields.version} failed (HTTP ${res.status}): ${await res.text()}`);
    await res.arrayBuffer();
  }
}

/**
 * Sets versions' publish times in Verdaccio's stored document (it reads the file on every request), so a
 * test decides how old a release is: `days` ago.
 */
export function setPublishTimes(storage: string, name: string, ages: Record<string, number>): void {
  const file = join(storage, name, "package.json");
  const doc = JSON.parse(readFileSync(file, "utf8")) as { time?: Record<string, string> };
  doc.time ??= {};
  for (const [version, days] of Object.entries(ages)) doc.time[version] = new Date(Date.now() - days * 86_400_000).toISOString();
  writeFileSync(file, JSON.stringify(doc));
}

/** A gzipped ustar archive of these files (path -> text), as `npm pack` makes one. */
export function packageTarball(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = [];
  for (const [path, text] of Object.entries(files)) {
    const body = Buffer.from(text);
    const header = Buffer.alloc(512);
    const put = (value: string, offset: number, length: number) => header.write(value.slice(0, length), offset, length, "ascii");
    put(path, 0, 100);
    put("0000644\0", 100, 8);
    put("0000000\0", 108, 8);
    put("0000000\0", 116, 8);
    put(`${body.length.toString(8).padStart(11, "0")}\0`, 124, 12);
    put(`${Math.floor(Date.parse("1985-10-26T08:15:00Z") / 1000).toString(8).padStart(11, "0")}\0`, 136, 12);
    put("        ", 148, 8);
    put("0", 156, 1);
    put("ustar\0", 257, 6);
    put("00", 263, 2);
    let sum = 0;
    for (const byte of header) sum += byte;
    put(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.from(Bun.gzipSync(Buffer.concat(blocks)));
}

export interface SeenRequest {
  path: string;
  authorization: string | null;
  ifNoneMatch: string | null;
}

export interface LocalServer {
  url: string;
  port: number;
  seen: SeenRequest[];
  stop(): Promise<void>;
}

/**
 * A local HTTP server answering with `respond` (or forwarding to `upstream`, headers and all, when it
 * returns undefined), recording each request's path and credential.
 */
export function localServer(respond: (req: Request) => Response | Promise<Response> | undefined, upstream?: string): LocalServer {
  const seen: SeenRequest[] = [];
  const server = Bun.serve({
    hostname: HOST,
    port: 0,
    idleTimeout: 30,
    async fetch(req) {
      const url = new URL(req.url);
      seen.push({ path: decodeURIComponent(url.pathname), authorization: req.headers.get("authorization"), ifNoneMatch: req.headers.get("if-none-match") });
      const answer = await respond(req);
      if (answer !== undefined || upstream === undefined) return answer ?? new Response("no answer", { status: 500 });
      const headers = new Headers(req.headers);
      headers.delete("host");
      const res = await fetch(`${upstream.replace(/\/$/, "")}${url.pathname}${url.search}`, { method: req.method, headers, redirect: "manual" });
      const out = new Headers(res.headers);
      // fetch decoded the body already.
      out.delete("content-encoding");
      out.delete("content-length");
      return new Response(res.status === 304 ? null : await res.arrayBuffer(), { status: res.status, headers: out });
    },
  });
  return { url: `http://${HOST}:${server.port}/`, port: server.port!, seen, stop: async () => void (await server.stop(true)) };
}

function freePort(): number {
  const listener = Bun.listen({ hostname: HOST, port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}
