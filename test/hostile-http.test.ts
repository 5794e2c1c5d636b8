import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { join } from "node:path";
import type { RunningApp } from "../src/server/app.ts";
import { startTestApp } from "./helpers/app.ts";
import { personOf } from "../src/identity/os-users.ts";
import { SqliteStore } from "../src/store/sqlite-store.ts";
import { tempDir } from "./helpers/temp.ts";

/**
 * Hostile requests against the real server, sent raw over its owner's Unix socket (where writes are
 * answered) or its loopback TCP listener (reads only), so that Host, Origin, paths and bodies reach
 * the server exactly as written (fetch would normalise them). Every refusal must be a 4xx JSON error
 * and must leave the database byte-for-byte as it was.
 */

const MAX_BODY = 4096;
const WORKER = "wrk_hostile01";

let dir: ReturnType<typeof tempDir>;
let store: SqliteStore;
let app: RunningApp;
let port: number;
let queuedId: string;
let runningId: string;
let runningToken: number;
/** A WorkerPal's credential, for the routes of the job it holds. */
let workerCredential: [string, string];
const ME = personOf(process.getuid!());

beforeAll(async () => {
  dir = tempDir();
  store = new SqliteStore(join(dir.path, "db.sqlite"));
  app = await startTestApp(store, dir.path, {
    maxBodyBytes: MAX_BODY,
    sse: { heartbeatMs: 15000, pageSize: 500, maxQueuedChunks: 10000 },
    // A long lease so the server's timer never moves the seeded running job while the file runs.
    jobs: { leaseMs: 10 * 60_000 },
  });
  port = app.port;
  workerCredential = ["X-PushPals-Credential", app.credentials.issue({ role: "worker", name: "hostile" })];
  // Seed real rows so "unchanged" means something: a worker, a running job, a queued job.
  app.service.registerWorker({ id: WORKER, name: "hostile test", kinds: ["noop"], pid: null });
  const running = app.service.enqueue({ kind: "noop", input: {}, actor: "test" }).job;
  const claim = app.service.claim(WORKER, ["noop"])!;
  expect(claim.job.id).toBe(running.id);
  runningId = running.id;
  runningToken = claim.token;
  queuedId = app.service.enqueue({ kind: "noop", input: {}, actor: "test" }).job.id;
});

afterAll(async () => {
  await app.stop();
  store.close();
  dir.cleanup();
});

// ---------------------------------------------------------------------------------------------
// Raw HTTP over the socket or TCP

interface RawRequest {
  /** Default: the owner's socket. */
  via?: "socket" | "tcp";
  method?: string;
  path: string;
  /** The Host header value; `null` sends none. Defaults to the listener's own: localhost, or 127.0.0.1:PORT. */
  host?: string | null;
  /** Extra header lines, sent verbatim and in order (duplicates allowed). */
  headers?: [string, string][];
  body?: string | Uint8Array;
  /** Send the body with Transfer-Encoding: chunked instead of Content-Length. */
  chunked?: boolean;
  /** Override the Content-Length header (a lying client). */
  contentLength?: number;
  version?: "HTTP/1.1" | "HTTP/1.0";
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  json: unknown;
}

function raw(req: RawRequest): Promise<RawResponse> {
  const lines = [`${req.method ?? "GET"} ${req.path} ${req.version ?? "HTTP/1.1"}`];
  const tcp = req.via === "tcp";
  const host = req.host === undefined ? (tcp ? `127.0.0.1:${port}` : "localhost") : req.host;
  if (host !== null) lines.push(`Host: ${host}`);
  lines.push("Connection: close");
  for (const [name, value] of req.headers ?? []) lines.push(`${name}: ${value}`);
  const body = typeof req.body === "string" ? Buffer.from(req.body, "utf8") : req.body ? Buffer.from(req.body) : null;
  let payload: Buffer = Buffer.alloc(0);
  if (req.chunked) {
    lines.push("Transfer-Encoding: chunked");
    const parts: Buffer[] = [];
    if (body && body.length > 0) parts.push(Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from("\r\n"));
    parts.push(Buffer.from("0\r\n\r\n"));
    payload = Buffer.concat(parts);
  } else if (body || req.contentLength !== undefined) {
    lines.push(`Content-Length: ${req.contentLength ?? body!.length}`);
    payload = body ?? Buffer.alloc(0);
  }
  const head = Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1");

  return new Promise((resolve, reject) => {
    const received: Buffer[] = [];
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      const text = Buffer.concat(received);
      if (text.length === 0) return reject(err ?? new Error("connection closed without a response"));
      try {
        resolve(parseResponse(text));
      } catch (parseErr) {
        reject(parseErr);
      }
    };
    const socket = connect(tcp ? { host: "127.0.0.1", port } : { path: app.socket }, () => {
      socket.write(Buffer.concat([head, payload]));
    });
    socket.on("data", (chunk: Buffer | string) => received.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk));
    // The server may answer early (413) and close while we are still writing: keep what arrived.
    socket.on("error", (err) => finish(err));
    socket.on("close", () => finish());
  });
}

function parseResponse(buf: Buffer): RawResponse {
  const split = buf.indexOf("\r\n\r\n");
  if (split < 0) throw new Error(`incomplete response: ${JSON.stringify(buf.toString("latin1").slice(0, 200))}`);
  const [statusLine, ...headerLines] = buf.subarray(0, split).toString("latin1").split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine!)?.[1]);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let rest = buf.subarray(split + 4);
  if (headers["transfer-encoding"]?.toLowerCase() === "chunked") {
    const out: Buffer[] = [];
    for (;;) {
      const eol = rest.indexOf("\r\n");
      const size = parseInt(rest.subarray(0, eol).toString("latin1"), 16);
      if (!size) break;
      out.push(rest.subarray(eol + 2, eol + 2 + size));
      rest = rest.subarray(eol + 2 + size + 2);
    }
    rest = Buffer.concat(out);
  } else if (headers["content-length"] !== undefined) {
    rest = rest.subarray(0, Number(headers["content-length"]));
  }
  const body = rest.toString("utf8");
  let json: unknown = undefined;
  if ((headers["content-type"] ?? "").startsWith("application/json") && body.length > 0) json = JSON.parse(body);
  return { status, headers, body, json };
}

// ---------------------------------------------------------------------------------------------
// Store snapshots: every row of every table, so any write at all shows up.

type Snapshot = Record<string, unknown[]>;

function snapshot(): Snapshot {
  const tables = store.db.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
  const out: Snapshot = {};
  for (const { name } of tables) out[name] = store.db.query(`SELECT * FROM "${name}" ORDER BY rowid`).all();
  return out;
}

function counts(): { jobs: number; events: number; audit: number; transitions: number; logs: number; workers: number } {
  const n = (table: string) => (store.db.query(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  return { jobs: n("jobs"), events: n("events"), audit: n("audit"), transitions: n("job_transitions"), logs: n("job_logs"), workers: n("workers") };
}

/** Sends the request, checks it was refused with a JSON error, and checks the store did not move. */
async function refused(req: RawRequest, status: number, code: string, field?: string): Promise<RawResponse> {
  const before = snapshot();
  const res = await raw(req);
  expect({ status: res.status, body: res.json ?? res.body }).toMatchObject({ status });
  expect(res.headers["content-type"]).toStartWith("application/json");
  const error = (res.json as { error: { code: string; message: string; field?: string } }).error;
  expect(typeof error.message).toBe("string");
  expect(error.message.length).toBeGreaterThan(0);
  expect(error.code).toBe(code);
  if (field !== undefined) expect(error.field).toBe(field);
  expect(snapshot()).toEqual(before);
  return res;
}

const validJob = () => JSON.stringify({ kind: "noop", input: {} });
const jsonHeaders = (...more: [string, string][]): [string, string][] => [["Content-Type", "application/json"], ...more];
const postJob = (extra: Partial<RawRequest> = {}): RawRequest => ({ method: "POST", path: "/jobs", headers: jsonHeaders(), body: validJob(), ...extra });

// ---------------------------------------------------------------------------------------------

describe("positive controls", () => {
  test("a valid POST /jobs on the socket with the right Host and Origin is accepted (201), written as the OS user", async () => {
    const before = counts();
    const rows = snapshot();
    expect(rows.jobs!.length).toBe(2); // the seeded rows are there, so "unchanged" checks are not vacuous
    const res = await raw(postJob({ headers: jsonHeaders(["Origin", "http://localhost"], ["Sec-Fetch-Site", "same-origin"]) }));
    expect(res.status).toBe(201);
    expect(snapshot()).not.toEqual(rows);
    const { job } = res.json as { job: { id: string; state: string; createdBy: string } };
    expect(job.state).toBe("queued");
    expect(job.createdBy).toBe(ME);
    expect(counts()).toEqual({ ...before, jobs: before.jobs + 1, events: before.events + 2, audit: before.audit + 2, transitions: before.transitions + 1 });
  });

  test("127.0.0.1:PORT and localhost:PORT are the TCP listener, and plain fetch works on both", async () => {
    expect((await raw({ via: "tcp", path: "/health" })).status).toBe(200);
    expect((await raw({ via: "tcp", path: "/health", host: `localhost:${port}` })).status).toBe(200);
    expect((await fetch(`${app.url}/jobs`)).status).toBe(200);
    const res = await fetch("http://localhost/jobs", { unix: app.socket, method: "POST", headers: { "content-type": "application/json" }, body: validJob() });
    expect(res.status).toBe(201);
  });
});

describe("the loopback TCP listener is read-only", () => {
  test("every write route is refused there with 403 before its body is read, and nothing changes", async () => {
    const writes: [string, string][] = [
      ["/jobs", validJob()],
      [`/jobs/${queuedId}/cancel`, "{}"],
      ["/control/pause", "{}"],
      ["/prs/1/approve", "{}"],
      ["/workers", JSON.stringify({ id: "wrk_tcp00001", name: "x", kinds: ["review"], pid: null })],
      [`/jobs/${runningId}/complete`, JSON.stringify({ workerId: WORKER, token: runningToken, result: null })],
      ["/credentials", JSON.stringify({ role: "scm", name: "scm" })],
      ["/components/reset", "{}"],
    ];
    for (const [path, body] of writes) {
      const res = await refused({ via: "tcp", method: "POST", path, headers: jsonHeaders(workerCredential), body }, 403, "forbidden");
      expect((res.json as { error: { message: string } }).error.message).toContain("read-only");
    }
    // Even a body far past the limit: refused for the listener, not for its size.
    await refused({ via: "tcp", method: "POST", path: "/jobs", headers: jsonHeaders(), body: "x".repeat(100_000) }, 403, "forbidden");
  });
});

describe("Host / Origin guard (DNS rebinding, CSRF)", () => {
  // PORT is replaced with the server's real port when the test runs.
  const withPort = (text: string) => text.replaceAll("PORT", String(port));

  for (const host of ["evil.com", "127.0.0.1:1", "evil.com:PORT", "127.0.0.1:PORT.evil.com", "127.0.0.1", "[::1]:PORT", "0.0.0.0:PORT", "localhost.evil.com"]) {
    test(`Host ${host} is refused before anything is read or written (socket and TCP)`, async () => {
      const value = withPort(host);
      const res = await refused(postJob({ host: value }), 403, "forbidden");
      expect((res.json as { error: { message: string } }).error.message).toContain("Host");
      const tcp = await refused({ via: "tcp", path: "/status", host: value }, 403, "forbidden");
      expect((tcp.json as { error: { message: string } }).error.message).toContain("Host");
    });
  }

  test("no Host header at all (HTTP/1.0) is refused", async () => {
    await refused({ via: "tcp", path: "/health", host: null, version: "HTTP/1.0" }, 403, "forbidden");
    await refused({ path: "/health", host: null, version: "HTTP/1.0" }, 403, "forbidden");
  });

  test("two Host headers, a foreign one first, are refused", async () => {
    await refused(postJob({ host: "evil.com", headers: jsonHeaders(["Host", "localhost"]) }), 403, "forbidden");
    await refused({ via: "tcp", path: "/status", host: "evil.com", headers: [["Host", `127.0.0.1:${port}`]] }, 403, "forbidden");
  });

  for (const origin of ["http://evil.com", "null", "http://127.0.0.1:1", "https://127.0.0.1:PORT", "http://127.0.0.1:PORT.evil.com", "http://evil.com:PORT"]) {
    test(`Origin ${origin} is refused with 403`, async () => {
      const value = withPort(origin);
      const res = await refused(postJob({ headers: jsonHeaders(["Origin", value]) }), 403, "forbidden");
      expect((res.json as { error: { message: string } }).error.message).toContain("Origin");
    });
  }

  test("a foreign Origin cannot read the audit export either", async () => {
    await refused({ path: "/audit/export", headers: [["Origin", "http://evil.com"]] }, 403, "forbidden");
  });

  for (const site of ["cross-site", "same-site"]) {
    test(`Sec-Fetch-Site: ${site} is refused with 403`, async () => {
      await refused(postJob({ headers: jsonHeaders(["Sec-Fetch-Site", site]) }), 403, "forbidden");
    });
  }

  test("the guard runs before routing: a foreign Host on an unknown route is 403, not 404", async () => {
    await refused({ path: "/nope", host: "evil.com" }, 403, "forbidden");
  });
});

describe("request bodies", () => {
  test("deeply nested JSON (progress, result, input) is 400 naming the field, never a 500", async () => {
    const deep = (levels: number) => "[".repeat(levels) + "]".repeat(levels);
    const lease = `"workerId":"${WORKER}","token":${runningToken}`;
    await refused({ method: "POST", path: `/jobs/${runningId}/progress`, headers: jsonHeaders(workerCredential), body: `{${lease},"progress":${deep(40)}}` }, 400, "invalid_input", "progress");
    await refused({ method: "POST", path: `/jobs/${runningId}/complete`, headers: jsonHeaders(workerCredential), body: `{${lease},"result":${deep(1000)}}` }, 400, "invalid_input", "result");
    await refused({ method: "POST", path: "/jobs", headers: jsonHeaders(), body: `{"kind":"noop","input":${deep(33)}}` }, 400, "invalid_input", "input");
  });

  const bigJob = (size: number) => JSON.stringify({ kind: "noop", input: {}, blockedReason: "x".repeat(size) });

  test("a body over max_body_bytes (Content-Length) is 413", async () => {
    const body = bigJob(4500);
    expect(body.length).toBeGreaterThan(MAX_BODY);
    await refused(postJob({ body }), 413, "payload_too_large");
  });

  test("a body over max_body_bytes sent chunked (no Content-Length) is 413", async () => {
    await refused(postJob({ body: bigJob(4500), chunked: true }), 413, "payload_too_large");
  });

  test("a body far past the limit is still refused with 413 and changes nothing", async () => {
    for (const req of [postJob({ body: bigJob(100_000) }), postJob({ body: bigJob(100_000), chunked: true }), postJob({ body: "{}", contentLength: 999_999 })]) {
      const before = snapshot();
      const res = await raw(req);
      expect(res.status).toBe(413);
      expect(snapshot()).toEqual(before);
    }
  });

  // Regression: Bun's own body limit used to answer first with a bare 413 (no JSON), and a chunked
  // upload surfaced as an internal error.
  test("a body far past the limit gets the same JSON 413 error as a slightly-too-large one", async () => {
    await refused(postJob({ body: bigJob(100_000) }), 413, "payload_too_large");
    await refused(postJob({ body: bigJob(100_000), chunked: true }), 413, "payload_too_large");
    await refused(postJob({ body: "{}", contentLength: 999_999 }), 413, "payload_too_large");
  });

  for (const [label, body] of [
    ["truncated JSON", '{"kind":"noop","input":'],
    ["trailing garbage", `${validJob()}xyz`],
    ["single quotes", "{'kind':'noop','input':{}}"],
    ["an empty body", ""],
    ["invalid UTF-8", new Uint8Array([0x7b, 0x22, 0x6b, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
  ] as [string, string | Uint8Array][]) {
    test(`malformed JSON (${label}) is 400 naming "body"`, async () => {
      await refused(postJob({ body, contentLength: typeof body === "string" && body === "" ? 0 : undefined }), 400, "invalid_input", "body");
    });
  }

  for (const body of ["[]", "null", '"noop"', "42"]) {
    test(`a JSON ${body} instead of an object is 400 naming "body"`, async () => {
      await refused(postJob({ body }), 400, "invalid_input", "body");
    });
  }

  for (const type of [null, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonp", "application/json-patch+json", "text/json"]) {
    test(`content-type ${type ?? "(none)"} is 415`, async () => {
      await refused(
        { method: "POST", path: "/jobs", headers: type === null ? [] : [["Content-Type", type]], body: validJob() },
        415,
        "unsupported_media_type",
      );
    });
  }

  test("content-type application/json with a charset is accepted", async () => {
    const res = await raw(postJob({ headers: [["Content-Type", "Application/JSON; charset=utf-8"]] }));
    expect(res.status).toBe(201);
  });

  test("an unknown field is 400 naming it", async () => {
    const res = await refused(postJob({ body: JSON.stringify({ kind: "noop", bogus: 1 }) }), 400, "invalid_input", "bogus");
    expect((res.json as { error: { message: string } }).error.message).toContain('"bogus"');
  });

  test("several unknown fields are all named", async () => {
    const res = await refused(postJob({ body: JSON.stringify({ kind: "noop", bogus: 1, also: 2 }) }), 400, "invalid_input");
    const { message } = (res.json as { error: { message: string } }).error;
    expect(message).toContain('"bogus"');
    expect(message).toContain('"also"');
  });

  for (const key of ["__proto__", "constructor"]) {
    test(`a "${key}" key is an unknown field, not a prototype write`, async () => {
      await refused(postJob({ body: `{"kind":"noop","${key}":{"admin":true}}` }), 400, "invalid_input", key);
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
    });
  }

  for (const [label, patch, field] of [
    ['priority "high"', { priority: "high" }, "priority"],
    ["priority 1.5", { priority: 1.5 }, "priority"],
    ["priority 1e9", { priority: 1e9 }, "priority"],
    ["maxAttempts 0", { maxAttempts: 0 }, "maxAttempts"],
    ["kind 42", { kind: 42 }, "kind"],
    // Who asks is the kernel's to say: a body naming its own actor is refused, whatever it names.
    ["an actor of its own", { actor: "os:root" }, "actor"],
    ["actor with spaces and quotes", { actor: "x'; DROP TABLE jobs;--" }, "actor"],
    ["dedupeKey {}", { dedupeKey: {} }, "dedupeKey"],
  ] as [string, Record<string, unknown>, string][]) {
    test(`wrong type (${label}) is 400 naming "${field}"`, async () => {
      await refused(postJob({ body: JSON.stringify({ kind: "noop", ...patch }) }), 400, "invalid_input", field);
    });
  }

  for (const kind of ["shell", "rm -rf /", "__proto__", "NOOP"]) {
    test(`unknown job kind ${JSON.stringify(kind)} is 400 naming "kind"`, async () => {
      await refused(postJob({ body: JSON.stringify({ kind }) }), 400, "invalid_input", "kind");
    });
  }

  test("an input the kind does not accept is 400 naming input", async () => {
    const res = await refused(postJob({ body: JSON.stringify({ kind: "noop", input: { sleepMs: -5 } }) }), 400, "invalid_input");
    expect((res.json as { error: { field: string } }).error.field).toBe("input.sleepMs");
  });
});

describe("paths and ids", () => {
  for (const path of ["/jobs/..%2F..%2Fetc", "/jobs/..%2f..%2fetc%2fpasswd", "/jobs/job_x%00", "/jobs/job_abcdefgh%00", "/jobs/JOB_ABC'--", "/jobs/job_abcdefgh'--", "/jobs/%2e%2e%2f", `/jobs/job_${"a".repeat(5000)}`, "/jobs/job_abcdefgh;rm", "/jobs/%20job_abcdefgh"]) {
    test(`GET ${path.slice(0, 60)} is 400 naming "id"`, async () => {
      await refused({ path }, 400, "invalid_input", "id");
    });
  }

  for (const path of ["/jobs/%2e%2e", "/jobs/../../etc/passwd", "/jobs/./../audit/../../x"]) {
    test(`GET ${path} (dot segments) is a 4xx JSON error`, async () => {
      const res = await raw({ path });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect((res.json as { error: { code: string } }).error.code).toBeString();
    });
  }

  test("a 100 KB URL is refused with a 4xx (Bun's own 431) and changes nothing", async () => {
    const before = snapshot();
    const res = await raw({ path: `/jobs/job_${"a".repeat(100_000)}` });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(snapshot()).toEqual(before);
  });

  test("path tricks on write routes are refused before the body is used", async () => {
    const body = JSON.stringify({ reason: "x" });
    for (const id of ["..%2F..%2Fetc", "job_x%00", "JOB_ABC'--", `job_${"b".repeat(500)}`]) {
      await refused({ method: "POST", path: `/jobs/${id}/cancel`, headers: jsonHeaders(), body }, 400, "invalid_input", "id");
    }
    await refused(
      { method: "POST", path: "/workers/..%2Fx/claim", headers: jsonHeaders(), body: JSON.stringify({ kinds: ["noop"] }) },
      400,
      "invalid_input",
      "id",
    );
  });

  test("a well-formed id that does not exist is 404", async () => {
    await refused({ path: "/jobs/job_00000000" }, 404, "not_found");
    await refused({ method: "POST", path: "/jobs/job_00000000/cancel", headers: jsonHeaders(), body: "{}" }, 404, "not_found");
    await refused({ path: "/jobs/job_00000000/logs" }, 404, "not_found");
  });

  for (const [query, field] of [
    ["limit=abc", "limit"],
    ["limit=-1", "limit"],
    ["limit=100000", "limit"],
    ["state=bogus", "state"],
    ["after=..%2F..%2Fetc", "after"],
    ["after=job_x'--", "after"],
    ["sql=1", "sql"],
  ]) {
    test(`GET /jobs?${query} is 400 naming "${field}"`, async () => {
      await refused({ path: `/jobs?${query}` }, 400, "invalid_input", field);
    });
  }
});

describe("routing", () => {
  for (const path of ["/nope", "/", "/jobs/job_abcdefgh/nope", "/admin", "/jobs/job_abcdefgh/complete/extra"]) {
    test(`unknown route ${path} is 404`, async () => {
      await refused({ path }, 404, "not_found");
    });
  }

  for (const [method, path] of [
    ["DELETE", "/jobs"],
    ["PUT", "/jobs"],
    ["PATCH", "/health"],
    ["OPTIONS", "/jobs"],
    ["GET", "/jobs/job_abcdefgh/complete"],
    ["DELETE", () => `/jobs/${queuedId}`],
    ["POST", "/events"],
  ] as [string, string | (() => string)][]) {
    test(`${method} ${typeof path === "string" ? path : "/jobs/<id>"} is 405`, async () => {
      await refused({ method, path: typeof path === "string" ? path : path() }, 405, "method_not_allowed");
    });
  }
});

describe("/events resume point", () => {
  for (const id of ["abc", "-1", "1e3", "1.5", "0x10", "9999999999999999", "1; DROP TABLE events"]) {
    test(`Last-Event-ID ${JSON.stringify(id)} is 400`, async () => {
      await refused({ path: "/events", headers: [["Last-Event-ID", id]] }, 400, "invalid_input", "Last-Event-ID");
    });
  }

  for (const [query, field] of [
    ["after=abc", "after"],
    ["after=-5", "after"],
    ["bogus=1", "bogus"],
  ]) {
    test(`GET /events?${query} is 400 naming "${field}"`, async () => {
      await refused({ path: `/events?${query}` }, 400, "invalid_input", field);
    });
  }
});

describe("leases", () => {
  const leaseCall = (id: string, action: string, body: Record<string, unknown>): RawRequest => ({
    method: "POST",
    path: `/jobs/${id}/${action}`,
    headers: jsonHeaders(workerCredential),
    body: JSON.stringify(body),
  });

  test("complete with a wrong token on a real running job is 409 lease_lost", async () => {
    const res = await refused(leaseCall(runningId, "complete", { workerId: WORKER, token: runningToken + 7, result: { forged: true } }), 409, "lease_lost");
    expect((res.json as { error: { message: string } }).error.message).toContain(runningId);
    expect(store.getJob(runningId)?.state).toBe("running");
  });

  test("complete from the wrong worker with the right token is 409 lease_lost", async () => {
    await refused(leaseCall(runningId, "complete", { workerId: "wrk_intruder1", token: runningToken }), 409, "lease_lost");
  });

  test("complete on a job nobody claimed is 409 lease_lost", async () => {
    await refused(leaseCall(queuedId, "complete", { workerId: WORKER, token: 1 }), 409, "lease_lost");
  });

  test("every lease-checked write refuses a wrong token and stores nothing", async () => {
    const wrong = { workerId: WORKER, token: runningToken + 1 };
    await refused(leaseCall(runningId, "heartbeat", wrong), 409, "lease_lost");
    await refused(leaseCall(runningId, "logs", { ...wrong, lines: [{ stream: "stdout", line: "forged" }] }), 409, "lease_lost");
    await refused(leaseCall(runningId, "progress", { ...wrong, progress: { pct: 99 } }), 409, "lease_lost");
    await refused(leaseCall(runningId, "commands", { ...wrong, command: "rm -rf /", exitCode: 0, durationMs: 1 }), 409, "lease_lost");
    await refused(leaseCall(runningId, "fail", { ...wrong, failure: { class: "environment", message: "x", evidence: {} } }), 409, "lease_lost");
    await refused(leaseCall(runningId, "release", { ...wrong, reason: "x" }), 409, "lease_lost");
  });

  test("without a credential, or with a forged one, a lease call is 403 whatever its token", async () => {
    const lease = { workerId: WORKER, token: runningToken, result: { forged: true } };
    await refused({ ...leaseCall(runningId, "complete", lease), headers: jsonHeaders() }, 403, "forbidden");
    const forged = `${workerCredential[1].slice(0, -4)}0000`;
    await refused({ ...leaseCall(runningId, "complete", lease), headers: jsonHeaders(["X-PushPals-Credential", forged]) }, 403, "forbidden");
    // A credential of another role (an agent's) does not cover a WorkerPal's noop job either.
    await refused({ ...leaseCall(runningId, "complete", lease), headers: jsonHeaders(["X-PushPals-Credential", app.credentials.issue({ role: "scm", name: "scm" })]) }, 403, "forbidden");
  });

  test("a malformed lease (string token, token 0, bad worker id) is 400 naming the field", async () => {
    await refused(leaseCall(runningId, "complete", { workerId: WORKER, token: String(runningToken) }), 400, "invalid_input", "token");
    await refused(leaseCall(runningId, "complete", { workerId: WORKER, token: 0 }), 400, "invalid_input", "token");
    await refused(leaseCall(runningId, "complete", { workerId: "../wrk", token: runningToken }), 400, "invalid_input", "workerId");
  });

  test("control: the real lease completes the job (so the 409s above were not spurious)", async () => {
    const res = await raw(leaseCall(runningId, "complete", { workerId: WORKER, token: runningToken, result: { ok: true } }));
    expect(res.status).toBe(200);
    expect((res.json as { job: { state: string } }).job.state).toBe("succeeded");
  });
});
