/** What an HTTP call answered, as a separate process saw it. */
export interface RawAnswer {
  status: number;
  body: { error?: { code: string; message: string; field?: string } } & Record<string, unknown>;
}

/**
 * One HTTP call from a separate process (a stand-in for any other local program), over a Unix socket
 * or to a loopback URL, with exactly the body and headers given.
 */
export function rawCall(target: { socket: string } | { url: string }, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): RawAnswer {
  const script = `
    const [target, method, path, body, headers] = JSON.parse(process.argv[1]);
    const base = target.socket ? "http://localhost" : target.url;
    try {
      const res = await fetch(base + path, { method, unix: target.socket, headers: { ...(body === null ? {} : { "content-type": "application/json" }), ...headers }, body: body === null ? undefined : JSON.stringify(body) });
      const text = await res.text();
      console.log(JSON.stringify({ status: res.status, body: text ? JSON.parse(text) : {} }));
    } catch (err) {
      console.log(JSON.stringify({ status: 0, body: { error: { code: "unreachable", message: String(err) } } }));
    }`;
  const r = Bun.spawnSync([process.execPath, "-e", script, JSON.stringify([target, method, path, body ?? null, headers])], { stdout: "pipe", stderr: "pipe" });
  const out = r.stdout.toString().trim().split("\n").at(-1) ?? "";
  if (!out.startsWith("{")) throw new Error(`the calling process printed nothing useful: ${r.stderr.toString()}`);
  return JSON.parse(out) as RawAnswer;
}
