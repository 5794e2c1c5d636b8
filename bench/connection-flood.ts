/**
 * `/health` latency while one local process floods the server: the server (this process, default
 * limits) is probed on a fresh TCP connection every 20 ms, first quiet, then while a separate process
 * (test/helpers/flood-client.ts) holds 1,000 stream attempts (TCP's share of the cap open, the rest refused)
 * and 1,000 half-sent requests (headers or bodies that never finish).
 * Run: bun bench/connection-flood.ts [--streams=1000] [--slow=1000] [--seconds=3]
 */
import { connect } from "node:net";
import { resolve } from "node:path";
import { startApp } from "../src/server/app.ts";
import { appOptions, fmt, lines, numArg, percentile, tempStore, verdict } from "./bench-util.ts";

const TARGET_MS = 1_000;
const FLOODER = resolve(import.meta.dir, "../test/helpers/flood-client.ts");

const streams = numArg("streams", 1_000);
const slow = numArg("slow", 1_000);
const seconds = numArg("seconds", 3);

const { store, dir, dispose } = tempStore("flood");
const app = await startApp(store, appOptions(dir));
try {
  const quiet = await probeFor(app.port, seconds * 1000);
  const spec = { port: app.port, streams, partialHeaders: Math.floor(slow / 2), partialBodies: Math.ceil(slow / 2) };
  const child = Bun.spawn([process.execPath, FLOODER, JSON.stringify(spec)], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  const out = lines(child.stdout);
  const first = (await out.next()).value as string | undefined;
  const report = first ? (JSON.parse(first) as { streams: { statuses: Record<string, number> } }).streams : null;
  // The streams are in; the half-sent requests follow at once and stay for much longer than this.
  const flooded = await probeFor(app.port, seconds * 1000);
  child.kill("SIGKILL");
  await child.exited;

  console.log(`connection-flood: /health on a fresh connection every 20 ms, ${fmt(streams)} stream attempts + ${fmt(slow)} half-sent requests from another process`);
  console.log(`  streams          ${Object.entries(report?.statuses ?? {}).map(([status, n]) => `${fmt(n)} × ${status}`).join(", ")} (cap ${app.limits.max("stream")}, half of it for loopback TCP)`);
  for (const [label, ms] of [["quiet", quiet], ["flooded", flooded]] as const) {
    const sorted = ms.filter((m) => m >= 0).sort((a, b) => a - b);
    console.log(`  ${label.padEnd(16)} p50 ${fmt(percentile(sorted, 0.5))} ms, p99 ${fmt(percentile(sorted, 0.99))} ms, max ${fmt(sorted.at(-1) ?? NaN)} ms, ${ms.length - sorted.length} of ${ms.length} failed`);
  }
  const worst = Math.max(...flooded.map((m) => (m < 0 ? Infinity : m)));
  verdict(worst < TARGET_MS && report?.statuses["200"] === Math.ceil(app.limits.max("stream") / 2), `/health during a flood: max ${fmt(worst)} ms (target < ${fmt(TARGET_MS)} ms)`);
} finally {
  await app.stop();
  dispose();
}

/** Latencies (ms; -1 for a failed probe) of /health probes, one every 20 ms for `durationMs`. */
async function probeFor(port: number, durationMs: number): Promise<number[]> {
  const out: number[] = [];
  for (const end = Date.now() + durationMs; Date.now() < end; await Bun.sleep(20)) out.push(await probe(port));
  return out;
}

function probe(port: number): Promise<number> {
  const started = performance.now();
  return new Promise((done) => {
    let text = "";
    const socket = connect({ host: "127.0.0.1", port }, () => socket.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`));
    const timer = setTimeout(() => socket.destroy(), 5_000);
    socket.on("data", (chunk: Buffer) => (text += chunk.toString("latin1")));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      done(text.startsWith("HTTP/1.1 200") ? performance.now() - started : -1);
    });
  });
}
