import { PushpalsError } from "../core/errors.ts";

/**
 * Loopback defence: only requests addressed to this server's own host:port (DNS rebinding) and,
 * when a browser says where it comes from, only from this server's own origin (CSRF).
 */
export function checkRequestOrigin(req: Request, port: number): void {
  const host = (req.headers.get("host") ?? "").toLowerCase();
  const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  if (!allowedHosts.includes(host)) {
    throw new PushpalsError("forbidden", `Host "${host}" is not this server (expected 127.0.0.1:${port})`, {
      hint: "connect to the URL printed by `pushpals` (http://127.0.0.1:PORT)",
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
