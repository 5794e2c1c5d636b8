/**
 * Runs INSIDE the sandbox, bind-mounted there as this one file (so it imports node:* only):
 *
 *   bun sandbox-forwarder.ts <unix-socket-path> <port> <command...>
 *
 * The sandbox's network namespace has only its own loopback. This listens on 127.0.0.1:<port> there,
 * relays every connection to the egress proxy's Unix socket (bind-mounted from the host), runs the
 * command with the proxy variables pointing at it, and exits as the command did.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { connect, createServer, type Socket } from "node:net";
import { constants } from "node:os";

const USAGE_EXIT = 125;

function fail(message: string): never {
  process.stderr.write(`pushpals: ${message}\n`);
  process.exit(USAGE_EXIT);
}

/** The other side closed: flush what is still queued for this one, then destroy it. */
function finish(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.writableFinished) return void socket.destroy();
  socket.once("finish", () => socket.destroy());
  socket.end();
}

function relay(client: Socket, socketPath: string): void {
  const upstream = connect({ path: socketPath, allowHalfOpen: true });
  const destroyBoth = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on("error", destroyBoth);
  upstream.on("error", destroyBoth);
  client.once("close", () => finish(upstream));
  upstream.once("close", () => finish(client));
  client.pipe(upstream);
  upstream.pipe(client);
}

function childEnv(port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NO_PROXY;
  delete env.no_proxy;
  const url = `http://127.0.0.1:${port}`;
  for (const name of ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"]) env[name] = url;
  return env;
}

function run(command: string[], port: number): ChildProcess {
  // The handlers come first, so a signal that arrives while the command starts is passed on, not the forwarder's death.
  let child: ChildProcess | null = null;
  const pending: NodeJS.Signals[] = [];
  const forward = (signal: NodeJS.Signals) => () => void (child ? child.kill(signal) : pending.push(signal));
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, forward(signal));
  child = spawn(command[0]!, command.slice(1), { stdio: "inherit", env: childEnv(port) });
  for (const signal of pending) child.kill(signal);
  child.once("error", (err) => {
    process.stderr.write(`pushpals: could not run ${command[0]}: ${err.message}\n`);
    process.exit(127);
  });
  child.once("exit", (code, signal) => {
    process.exit(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
  });
  return child;
}

function main(argv: string[]): void {
  const [socketPath, portText, ...command] = argv;
  const port = Number(portText);
  if (!socketPath || !portText || !/^\d+$/.test(portText) || port < 1 || port > 65535 || command.length === 0) {
    fail("usage: sandbox-forwarder.ts <unix-socket-path> <port> <command...>");
  }
  const server = createServer({ allowHalfOpen: true }, (client) => relay(client, socketPath));
  server.once("error", (err) => fail(`the egress forwarder could not listen on 127.0.0.1:${port}: ${err.message}`));
  server.listen({ host: "127.0.0.1", port, exclusive: true }, () => {
    server.removeAllListeners("error");
    server.on("error", () => {});
    run(command, port);
  });
}

main(process.argv.slice(2));
