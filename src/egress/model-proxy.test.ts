import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import { startScriptedModel, type ScriptedModel } from "../../test/helpers/scripted-model.ts";
import { tempDir } from "../../test/helpers/temp.ts";
import { anthropicProvider } from "../models/providers/anthropic/index.ts";
import { openaiCompatibleProvider } from "../models/providers/openai-compatible/index.ts";
import { exchange } from "./egress-fixture.ts";
import { startModelProxy, type ModelProxy, type ModelProxyOptions, type ProxiedExchange } from "./model-proxy.ts";

const KEY = "sk-proxy-test-0123456789abcdefKEY";
const SELF = ["127.0.0.1:3128", "localhost:3128"];
const dir = tempDir("pushpals-mproxy-test-");
const proxies: ModelProxy[] = [];
let counter = 0;
let model: ScriptedModel;
/** Answers the odd cases the scripted model does not: SSE streams, a redirect, an answer that echoes the key. */
let odd: ReturnType<typeof Bun.serve>;
const oddRequests: { path: string; body: string; headers: Record<string, string> }[] = [];

beforeAll(() => {
  model = startScriptedModel(Array.from({ length: 20 }, (_, i) => ({ reply: `reply ${i}`, usage: { inputTokens: 10 + i, outputTokens: 5 } })));
  odd = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      const body = request.method === "GET" ? "" : await request.text();
      oddRequests.push({ path: url.pathname, body, headers: Object.fromEntries(request.headers.entries()) });
      if (url.pathname === "/v1/models") return new Response(null, { status: 302, headers: { location: "http://169.254.169.254/latest/meta-data/" } });
      if (url.pathname === "/v1/chat/completions") {
        // OpenAI's stream: usage only in the last chunk, and only when asked for.
        const asked = (JSON.parse(body) as { stream_options?: { include_usage?: boolean } }).stream_options?.include_usage === true;
        const chunks = ['data: {"choices":[{"delta":{"content":"hel"}}],"usage":null}\n\n', 'data: {"choices":[{"delta":{"content":"lo"}}],"usage":null}\n\n'];
        if (asked) chunks.push('data: {"choices":[],"usage":{"prompt_tokens":42,"completion_tokens":7,"total_tokens":49}}\n\n');
        chunks.push("data: [DONE]\n\n");
        return sse(chunks);
      }
      if (url.pathname === "/v1/messages") {
        return sse([
          'event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":30,"cache_read_input_tokens":3,"output_tokens":1}}}\n\n',
          'event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"type":"text_delta","text":"hi"}}\n\n',
          'event: message_delta\ndata: {"type":"message_delta","usage":{"output_tokens":12}}\n\n',
          'event: message_stop\ndata: {"type":"message_stop"}\n\n',
        ]);
      }
      if (url.pathname === "/v1/responses") {
        // The key, cut across chunks, in an error body and a header: none of it may reach the client.
        const text = `{"error":{"message":"bad key ${KEY}"}}`;
        const cut = text.indexOf(KEY) + 7;
        return new Response(stream([text.slice(0, cut), text.slice(cut)]), { status: 401, headers: { "content-type": "application/json", "x-echo": `key=${KEY}`, "set-cookie": "session=1" } });
      }
      return new Response("no", { status: 404 });
    },
  });
});

afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  model.stop();
  void odd.stop(true);
  dir.cleanup();
});

function stream(parts: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    async pull(controller) {
      const next = parts.shift();
      if (next === undefined) return controller.close();
      await Bun.sleep(5);
      controller.enqueue(new TextEncoder().encode(next));
    },
  });
}

const sse = (parts: string[]) => new Response(stream(parts), { headers: { "content-type": "text/event-stream" } });

async function proxy(options: Partial<ModelProxyOptions> = {}): Promise<{ p: ModelProxy; exchanges: ProxiedExchange[]; logs: string[] }> {
  const exchanges: ProxiedExchange[] = [];
  const logs: string[] = [];
  const p = await startModelProxy({
    socketPath: join(dir.path, `model-${++counter}.sock`),
    provider: openaiCompatibleProvider,
    baseUrl: model.url,
    key: KEY,
    self: SELF,
    onUsage: (e) => exchanges.push(e),
    log: (line) => logs.push(line),
    ...options,
  });
  proxies.push(p);
  return { p, exchanges, logs };
}

/** A request as the sandboxed CLI makes it: to the forwarder's address, here straight to the socket. */
function call(p: ModelProxy, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`http://127.0.0.1:3128${path}`, { ...init, unix: p.socketPath } as RequestInit);
}

const chat = (extra: Record<string, unknown> = {}) => JSON.stringify({ model: "scripted", messages: [{ role: "user", content: "hi" }], ...extra });

describe("the model proxy", () => {
  test("forwards an allowed request to base_url with the key it holds, never the client's credentials, and counts the answer's tokens", async () => {
    const { p, exchanges } = await proxy();
    expect(statSync(p.socketPath).mode & 0o777).toBe(0o600);
    const before = model.requests.length;
    const answer = await call(p, "/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer sk-from-the-sandbox", "x-api-key": "planted", cookie: "a=b", "x-forwarded-for": "1.2.3.4", "x-kept": "yes" },
      body: chat(),
    });
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]!.message.content).toBe("reply 0");
    const seen = model.requests.slice(before);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: "POST", path: "/v1/chat/completions", model: "scripted" });
    expect(seen[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(seen[0]!.headers["x-api-key"]).toBeUndefined();
    expect(seen[0]!.headers.cookie).toBeUndefined();
    expect(seen[0]!.headers["x-forwarded-for"]).toBeUndefined();
    expect(seen[0]!.headers["x-kept"]).toBe("yes");
    expect(exchanges).toEqual([expect.objectContaining({ index: 1, method: "POST", path: "/v1/chat/completions", status: 200, usage: { inputTokens: 10, outputTokens: 5 }, estimated: false, model: "scripted" })]);
    expect(exchanges[0]!.request).toContain('"content":"hi"');
    expect(exchanges[0]!.response).toContain("reply 0");
    expect(p.counters()).toEqual({ requests: 1, inputTokens: 10, outputTokens: 5, refused: 0 });

    // GET /v1/models, and an absolute-form request naming the proxy's own address (a client behind HTTP_PROXY).
    expect((await call(p, "/v1/models")).status).toBe(200);
    const absolute = await exchange(p.socketPath, "GET http://127.0.0.1:3128/v1/models HTTP/1.1\r\nHost: 127.0.0.1:3128\r\nConnection: close\r\n\r\n");
    expect(absolute.status).toBe(200);
    expect(absolute.raw).toContain("scripted-model");
  });

  test("the base URL's path prefix is kept: /v1/<path> goes to <base_url>/<path>", async () => {
    const seen: string[] = [];
    const { p } = await proxy({
      baseUrl: "https://gateway.example/api/openai/v1/",
      fetch: (async (url: string | URL | Request) => {
        seen.push(String(url));
        return Response.json({ usage: { prompt_tokens: 1, completion_tokens: 1 } });
      }) as typeof fetch,
    });
    await call(p, "/v1/chat/completions", { method: "POST", body: chat() });
    await call(p, "/v1/models/gpt-4o?limit=5");
    expect(seen).toEqual(["https://gateway.example/api/openai/v1/chat/completions", "https://gateway.example/api/openai/v1/models/gpt-4o?limit=5"]);
  });

  test("refuses every other path, method, host and tunnel with a 403 and one line why, and sends none of them upstream", async () => {
    const { p, logs } = await proxy();
    const before = model.requests.length;
    const refused = [
      await call(p, "/v1/chat/completions"), // GET on a POST route
      await call(p, "/v1/embeddings", { method: "POST", body: "{}" }),
      await call(p, "/v2/chat/completions", { method: "POST", body: chat() }),
      await call(p, "/v1/chat/completions", { method: "DELETE" }),
    ];
    for (const r of refused) {
      expect(r.status).toBe(403);
      expect(await r.text()).toMatch(/^pushpals model proxy: .+\n$/);
    }
    // Dot segments and encoded slashes as sent, not as a client library would normalise them.
    for (const target of ["/v1/models/..", "/v1/models/%2e%2e", "/v1/chat/completions/../../admin", "/v1//chat/completions", "/v1/./models", "/v1/models/a%2fb"]) {
      const raw = await exchange(p.socketPath, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:3128\r\n\r\n`);
      expect(raw.status).toBe(403);
    }
    const other = await exchange(p.socketPath, "GET http://example.com/v1/models HTTP/1.1\r\nHost: example.com\r\n\r\n");
    expect(other.status).toBe(403);
    expect(other.body).toContain("only the model API is reachable here, not example.com");
    const otherPort = await exchange(p.socketPath, "GET http://127.0.0.1:11434/v1/models HTTP/1.1\r\nHost: 127.0.0.1:11434\r\n\r\n");
    expect(otherPort.status).toBe(403);
    const tunnel = await exchange(p.socketPath, "CONNECT api.openai.com:443 HTTP/1.1\r\nHost: api.openai.com:443\r\n\r\n");
    expect(tunnel.status).toBe(403);
    expect(tunnel.body).toContain("not a tunnel to api.openai.com:443");
    expect(model.requests.length).toBe(before);
    expect(p.counters()).toMatchObject({ requests: 0, refused: 13 });
    expect(p.refusals().map((r) => r.status)).toEqual(Array(13).fill(403));
    expect(logs.every((l) => l.startsWith("model proxy: refused"))).toBe(true);
  });

  test("Anthropic's API: x-api-key and anthropic-version are the proxy's own; a streamed answer's usage is read from its events", async () => {
    const { p, exchanges } = await proxy({ provider: anthropicProvider, baseUrl: `http://127.0.0.1:${odd.port}/v1` });
    const answer = await call(p, "/v1/messages?beta=true", { method: "POST", headers: { "x-api-key": "pushpals-proxy", "anthropic-version": "1999-01-01", "content-type": "application/json" }, body: JSON.stringify({ model: "claude-x", stream: true, messages: [] }) });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("text/event-stream");
    expect(await answer.text()).toContain("message_stop");
    const seen = oddRequests.at(-1)!;
    expect(seen.path).toBe("/v1/messages");
    expect(seen.headers["x-api-key"]).toBe(KEY);
    expect(seen.headers["anthropic-version"]).toBe("2023-06-01");
    expect(exchanges.at(-1)).toMatchObject({ path: "/v1/messages", usage: { inputTokens: 33, outputTokens: 12 }, estimated: false, model: "claude-x" });
    // OpenAI's routes are not Anthropic's.
    expect((await call(p, "/v1/chat/completions", { method: "POST", body: chat() })).status).toBe(403);
  });

  test("a streamed OpenAI completion is asked for its usage, which its last chunk then carries", async () => {
    const { p, exchanges } = await proxy({ baseUrl: `http://127.0.0.1:${odd.port}/v1` });
    const answer = await call(p, "/v1/chat/completions", { method: "POST", body: chat({ stream: true }) });
    expect(await answer.text()).toContain("[DONE]");
    expect(JSON.parse(oddRequests.at(-1)!.body)).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(exchanges.at(-1)).toMatchObject({ usage: { inputTokens: 42, outputTokens: 7 }, estimated: false });
  });

  test("a redirect is not followed: 502, counted as refused", async () => {
    const { p, exchanges } = await proxy({ baseUrl: `http://127.0.0.1:${odd.port}/v1` });
    const count = oddRequests.length;
    const answer = await call(p, "/v1/models");
    expect(answer.status).toBe(502);
    expect(await answer.text()).toContain("a redirect, which is not followed");
    expect(oddRequests.length).toBe(count + 1);
    expect(oddRequests.at(-1)!.path).toBe("/v1/models");
    expect(p.counters().refused).toBe(1);
    expect(exchanges).toEqual([]);
  });

  test("the key's value never comes back: not in a body (even cut across chunks), a header or a log line", async () => {
    const { p, logs } = await proxy({ baseUrl: `http://127.0.0.1:${odd.port}/v1` });
    const answer = await call(p, "/v1/responses", { method: "POST", body: "{}" });
    expect(answer.status).toBe(401);
    const text = await answer.text();
    expect(text).toBe('{"error":{"message":"bad key [REDACTED]"}}');
    expect(answer.headers.get("x-echo")).toBe("key=[REDACTED]");
    expect(answer.headers.get("set-cookie")).toBeNull();
    const failing = await proxy({ baseUrl: `http://127.0.0.1:1/${KEY}/v1` });
    const unreachable = await call(failing.p, "/v1/models");
    expect(unreachable.status).toBe(502);
    expect(await unreachable.text()).not.toContain(KEY);
    expect([...logs, ...failing.logs].join("\n")).not.toContain(KEY);
  });

  test("an answer without usage is counted from its size; a body over the limit is refused 413", async () => {
    const { p, exchanges } = await proxy({
      maxBodyBytes: 1024,
      fetch: (async () => Response.json({ choices: [{ message: { content: "x".repeat(400) } }] })) as unknown as typeof fetch,
    });
    const body = chat({ pad: "y".repeat(200) });
    expect((await call(p, "/v1/chat/completions", { method: "POST", body })).status).toBe(200);
    expect(exchanges[0]).toMatchObject({ estimated: true, usage: { inputTokens: Math.ceil(body.length / 4) } });
    expect(exchanges[0]!.usage.outputTokens).toBeGreaterThan(100);
    const big = await call(p, "/v1/chat/completions", { method: "POST", body: chat({ pad: "z".repeat(5000) }) });
    expect(big.status).toBe(413);
    expect(p.counters().refused).toBe(1);
  });

  test("close() cuts an answer still streaming, and has counted it when it returns", async () => {
    const { p, exchanges } = await proxy({
      fetch: (async () =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('data: {"type":"message_start","message":{"usage":{"input_tokens":9,"output_tokens":1}}}\n\n'));
            },
          }),
          { headers: { "content-type": "text/event-stream" } },
        )) as unknown as typeof fetch,
    });
    const answer = await call(p, "/v1/chat/completions", { method: "POST", body: chat({ stream: true }) });
    const reader = answer.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain("message_start");
    await p.close();
    expect(exchanges).toEqual([expect.objectContaining({ status: 200, usage: { inputTokens: 9, outputTokens: 1 } })]);
    await reader.read().catch(() => null);
  });

  test("admit refuses a request (a budget reached) and stop refuses every one after", async () => {
    let allow = true;
    const { p } = await proxy({ admit: () => (allow ? null : "the job's token budget is used up") });
    expect((await call(p, "/v1/chat/completions", { method: "POST", body: chat() })).status).toBe(200);
    allow = false;
    const refused = await call(p, "/v1/chat/completions", { method: "POST", body: chat() });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toBe("pushpals model proxy: the job's token budget is used up\n");
    allow = true;
    p.stop("the job ended");
    const stopped = await call(p, "/v1/models");
    expect(stopped.status).toBe(403);
    expect(await stopped.text()).toContain("the job ended");
    expect(p.counters()).toMatchObject({ requests: 1, refused: 2 });
  });
});
