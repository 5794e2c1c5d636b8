/**
 * For tests only: a real Verdaccio npm registry on 127.0.0.1, offline (no uplinks, so it never proxies to
 * the public registry), with its storage, config and htpasswd in a temp dir removed by `stop()`.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { tempDir } from "./temp.ts";

export interface PackageSpec {
  name: string;
  version: string;
  /** Extra files (relative path -> text); package.json is generated. */
  files?: Record<string, string>;
  dependencies?: Record<string, string>;
  scripts?: Record<string, string>;
}

export interface LocalRegistry {
  /** With a trailing slash, e.g. http://127.0.0.1:PORT/ */
  url: string;
  host: string;
  port: number;
  storage: string;
  stop(): Promise<void>;
}

const HOST = "127.0.0.1";
const READY_TIMEOUT_MS = 15_000;
const VERDACCIO_BIN = join(dirname(Bun.resolveSync("verdaccio/package.json", import.meta.dir)), "bin", "verdaccio");

/** `maxBodySize`: the largest publish Verdaccio takes (its `max_body_size`, "10mb" by default; a tarball goes base64 in the body). */
export async function startVerdaccio(options: { packages?: PackageSpec[]; maxBodySize?: string } = {}): Promise<LocalRegistry> {
  const dir = tempDir("pushpals-verdaccio-");
  const storage = join(dir.path, "storage");
  const configFile = join(dir.path, "config.yaml");
  // JSON is valid YAML, and spares quoting the temp paths.
  const config = {
    storage,
    auth: { htpasswd: { file: join(dir.path, "htpasswd"), max_users: 100 } },
    uplinks: {},
    packages: { "**": { access: "$all", publish: "$all", unpublish: "$all" } },
    web: { enable: false },
    log: { type: "stderr", format: "pretty", level: "warn" },
    ...(options.maxBodySize ? { max_body_size: options.maxBodySize } : {}),
  };
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);

  let server: Server | undefined;
  try {
    // The free port is found by binding port 0 and letting it go, so another process can take it before
    // Verdaccio binds it: retry on a new port when that happens (EADDRINUSE under node, "Is port N in use?" under bun).
    for (let attempt = 1; !server; attempt++) {
      const port = freePort();
      const started = spawnServer(configFile, dir.path, port);
      const problem = await waitReady(started, `http://${HOST}:${port}/`);
      if (!problem) server = started;
      else {
        await started.kill();
        if (!/EADDRINUSE|port \d+ in use/.test(problem) || attempt >= 3) throw new Error(problem);
      }
    }
    const url = `http://${HOST}:${server.port}/`;
    const npmrc = join(dir.path, "publisher.npmrc");
    writeRegistryNpmrc(npmrc, url, await createUser(url));
    await publishAll(options.packages ?? [], join(dir.path, "publish"), npmrc, join(dir.path, "npm-cache"));

    const running = server;
    let stopping: Promise<void> | undefined;
    return {
      url,
      host: HOST,
      port: running.port,
      storage,
      stop: () => (stopping ??= running.kill().finally(dir.cleanup)),
    };
  } catch (error) {
    await server?.kill();
    dir.cleanup();
    throw error;
  }
}

/**
 * Writes an npm userconfig that sends every request to `registryUrl` (with `token` for it, if given) and
 * leaves out the developer's own ~/.npmrc (which may, say, omit `resolved` from lockfiles). Any request
 * for another host goes to a proxy on a closed loopback port and fails at once, so nothing can reach the
 * public registry by accident.
 */
export function writeRegistryNpmrc(path: string, registryUrl: string, token?: string): void {
  const lines = [
    `registry=${registryUrl}`,
    "proxy=http://127.0.0.1:9/",
    "https-proxy=http://127.0.0.1:9/",
    `noproxy=${HOST}`,
    "audit=false",
    "fund=false",
    "update-notifier=false",
  ];
  if (token) lines.push(`//${registryUrl.replace(/^https?:\/\//, "")}:_authToken=${token}`);
  writeFileSync(path, `${lines.join("\n")}\n`);
}

/**
 * The environment for npm run against a local registry: the caller's without npm_config_* variables
 * (set by `npm test`, say), which would take precedence over the userconfig file.
 */
export function registryNpmEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !/^npm_config_/i.test(e[0])),
  );
}

/** Runs npm in `cwd` with `userconfig` and `cache`; throws with its output when it fails. */
export async function runNpm(cwd: string, args: string[], opts: { userconfig: string; cache: string }): Promise<string> {
  const full = [...args, "--userconfig", opts.userconfig, "--cache", opts.cache];
  const proc = Bun.spawn(["npm", ...full], { cwd, stdin: "ignore", stdout: "pipe", stderr: "pipe", env: registryNpmEnv(), timeout: 60_000 });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (exitCode !== 0) throw new Error(`npm ${full.join(" ")} failed in ${cwd} (exit ${exitCode}):\n${stdout}${stderr}`);
  return stdout;
}

interface Server {
  port: number;
  proc: Bun.Subprocess;
  /** The last part of what the child printed (stdout and stderr), for error messages. */
  output(): string;
  kill(): Promise<void>;
}

function freePort(): number {
  const listener = Bun.listen({ hostname: HOST, port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}

function spawnServer(configFile: string, cwd: string, port: number): Server {
  // Verdaccio runs under bun itself (process.execPath), so no node of a particular version is needed.
  const proc = Bun.spawn([process.execPath, VERDACCIO_BIN, "--config", configFile, "--listen", `${HOST}:${port}`], {
    cwd,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: registryNpmEnv(),
  });
  let output = "";
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) output = (output + decoder.decode(chunk, { stream: true })).slice(-16_000);
  };
  const drained = Promise.all([drain(proc.stdout), drain(proc.stderr)]).catch(() => {});
  // Should a test end without stop(), the registry still goes away with the test process.
  const onExit = () => proc.kill("SIGKILL");
  process.on("exit", onExit);
  return {
    port,
    proc,
    output: () => output,
    kill: async () => {
      process.off("exit", onExit);
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill("SIGTERM");
        const escalate = setTimeout(() => proc.kill("SIGKILL"), 5_000);
        await proc.exited;
        clearTimeout(escalate);
      }
      await proc.exited;
      await drained;
    },
  };
}

/** Polls GET /-/ping until it answers 200; returns a description of the failure instead, if it never does. */
async function waitReady(server: Server, url: string): Promise<string | null> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server.proc.exitCode !== null || server.proc.signalCode !== null) {
      await server.proc.exited;
      return `verdaccio exited (code ${server.proc.exitCode}, signal ${server.proc.signalCode}) before answering ${url}-/ping:\n${server.output()}`;
    }
    try {
      const res = await fetch(`${url}-/ping`, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (res.ok) return null;
    } catch {
      // Not listening yet.
    }
    await Promise.race([server.proc.exited, Bun.sleep(50)]);
  }
  return `verdaccio did not answer ${url}-/ping within ${READY_TIMEOUT_MS} ms:\n${server.output()}`;
}

/** Registers a user through the npm login API; Verdaccio answers with a token for it. */
async function createUser(url: string): Promise<string> {
  const name = "pushpals-test";
  const res = await fetch(`${url}-/user/org.couchdb.user:${name}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ _id: `org.couchdb.user:${name}`, name, password: "pushpals-test-password", type: "user", roles: [], date: new Date().toISOString() }),
  });
  const text = await res.text();
  const token = res.ok ? (JSON.parse(text) as { token?: unknown }).token : undefined;
  if (typeof token !== "string") throw new Error(`creating a user on ${url} failed (HTTP ${res.status}): ${text}`);
  return token;
}

async function publishAll(packages: PackageSpec[], root: string, npmrc: string, cache: string): Promise<void> {
  // Versions of one package go in order (Verdaccio rewrites one metadata file per package); packages in parallel.
  const byName = new Map<string, PackageSpec[]>();
  for (const spec of packages) byName.set(spec.name, [...(byName.get(spec.name) ?? []), spec]);
  await Promise.all(
    [...byName.values()].map(async (specs) => {
      let highest: string | undefined;
      for (const spec of specs) {
        // npm publishes to `latest` unless told otherwise, and refuses to when that would move it back (or
        // to a prerelease, in newer npm): such versions get a tag of their own, like a real backport would.
        const tag = spec.version.includes("-") ? "next" : highest && Bun.semver.order(spec.version, highest) < 0 ? "previous" : undefined;
        await publish(spec, root, npmrc, cache, tag);
        if (!tag) highest = spec.version;
      }
    }),
  );
}

async function publish(spec: PackageSpec, root: string, npmrc: string, cache: string, tag: string | undefined): Promise<void> {
  const dir = join(root, `${spec.name.replace("/", "__")}@${spec.version}`);
  mkdirSync(dir, { recursive: true });
  for (const [rel, text] of Object.entries(spec.files ?? {})) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  const manifest = { name: spec.name, version: spec.version, license: "MIT", dependencies: spec.dependencies, scripts: spec.scripts };
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  // --ignore-scripts: the spec's scripts are for whoever installs the package, not for publishing it.
  await runNpm(dir, ["publish", "--ignore-scripts", "--access", "public", ...(tag ? ["--tag", tag] : [])], { userconfig: npmrc, cache });
}

/**
 * A project depending on `lib-ok@1.0.0` with a `test` script printing it, its lockfile made the way a
 * developer makes one (`npm install --package-lock-only` against `registryUrl`): the files to commit.
 */
export async function consumerProject(scratchDir: string, registryUrl: string): Promise<Record<string, string>> {
  const dir = join(scratchDir, "project");
  mkdirSync(dir, { recursive: true });
  const pkg = { name: "consumer", version: "1.0.0", private: true, dependencies: { "lib-ok": "1.0.0" }, scripts: { test: "node -e \"console.log('test says', require('lib-ok'))\"" } };
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
  const publisherNpmrc = join(scratchDir, "publisher.npmrc");
  writeRegistryNpmrc(publisherNpmrc, registryUrl);
  await runNpm(dir, ["install", "--package-lock-only", "--ignore-scripts"], { userconfig: publisherNpmrc, cache: join(scratchDir, "npm-cache") });
  return { "package.json": readFileSync(join(dir, "package.json"), "utf8"), "package-lock.json": readFileSync(join(dir, "package-lock.json"), "utf8"), ".gitignore": "node_modules/\n" };
}

/**
 * Publishes a package tarball as it is (its bytes, so the registry's `dist.integrity` is the tarball's own),
 * the way `npm publish <file>.tgz` does but in one request: `token` is a publisher's (see `createUser`).
 */
export async function publishTarball(registryUrl: string, token: string, tarball: Uint8Array, tag = "latest"): Promise<{ name: string; version: string }> {
  const manifest = JSON.parse(readTarEntry(tarball, "package/package.json")) as { name: string; version: string };
  const { name, version } = manifest;
  const basename = `${name.replace(/^@[^/]+\//, "")}-${version}.tgz`;
  const bytes = Buffer.from(tarball);
  const dist = {
    integrity: `sha512-${createHash("sha512").update(bytes).digest("base64")}`,
    shasum: createHash("sha1").update(bytes).digest("hex"),
    tarball: `${registryUrl}${name}/-/${basename}`,
  };
  const body = {
    _id: name,
    name,
    "dist-tags": { [tag]: version },
    versions: { [version]: { ...manifest, _id: `${name}@${version}`, dist } },
    _attachments: { [`${name}-${version}.tgz`]: { content_type: "application/octet-stream", data: bytes.toString("base64"), length: bytes.length } },
  };
  const res = await fetch(`${registryUrl}${name.replace("/", "%2f")}`, { method: "PUT", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`publishing ${name}@${version} to ${registryUrl} failed (HTTP ${res.status}): ${await res.text()}`);
  await res.arrayBuffer();
  return { name, version };
}

/** One file of a gzipped tarball, as text (ustar names only: what npm writes for package/package.json). */
function readTarEntry(gzipped: Uint8Array, path: string): string {
  const data = gunzipSync(gzipped);
  for (let offset = 0; offset + 512 <= data.length; ) {
    const header = data.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const name = header.subarray(0, 100).toString("utf8").replace(/\0.*$/s, "");
    const size = parseInt(header.subarray(124, 136).toString("utf8").replace(/\0.*$/s, "").trim() || "0", 8);
    if (name === path) return data.subarray(offset + 512, offset + 512 + size).toString("utf8");
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`the tarball has no ${path}`);
}
