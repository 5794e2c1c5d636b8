import { PushpalsError } from "../core/errors.ts";

/** The Host a request to the loopback listener on `port` may name. */
export function tcpHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

/** The Host of a request on a Unix socket (what `fetch(..., { unix })` sends for http://localhost/...). */
export const SOCKET_HOSTS = ["localhost"];

/**
 * Loopback defence: only requests addressed to this server's own host:port (DNS rebinding) and,
 * when a browser says where it comes from, only from this server's own origin (CSRF). The sockets
 * get the same checks, with their own Host.
 */
export function checkRequestOrigin(req: Request, allowedHosts: readonly string[]): void {
  const host = (req.headers.get("host") ?? "").toLowerCase();
  if (!allowedHosts.includes(host)) {
    throw new PushpalsError("forbidden", `Host "${host}" is not this server (expected ${allowedHosts[0]})`, {
      hint: "connect to the URL printed by `pushpals` (http://127.0.0.1:PORT), or through its socket",
    });
  }
  const origin = req.headers.get("origin");
  if (origin !== null && !allowedHosts.some((h) => origin.toLowerCase() === `http://${h}`)) {
    throw new PushpalsError("forbidden", `Origin "${origin}" may not call this server`, {
      hint: "the PushPals API only answers pages it serves itself",
    });
  }
  const site = req.headers.get("sec-fetch-site");
  if (site === "cross-site" || site === "same-site") {
    throw new PushpalsError("forbidden", `cross-site request refused (Sec-Fetch-Site: ${site})`);
  }
}
