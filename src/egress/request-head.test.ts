import { expect, test } from "bun:test";
import { parseAuthority } from "./host-rules.ts";
import { originHead, parseRequestHead } from "./request-head.ts";

test("CONNECT needs host:port; IPv6 literals in brackets", () => {
  expect(parseRequestHead("CONNECT registry.npmjs.org:443 HTTP/1.1\r\nHost: registry.npmjs.org:443")).toEqual({ kind: "connect", target: { host: "registry.npmjs.org", port: 443 } });
  expect(parseRequestHead("CONNECT [::1]:8443 HTTP/1.1")).toEqual({ kind: "connect", target: { host: "::1", port: 8443 } });
  for (const bad of ["CONNECT registry.npmjs.org HTTP/1.1", "CONNECT ::1:443 HTTP/1.1", "CONNECT host:0 HTTP/1.1", "CONNECT host:+1 HTTP/1.1", "CONNECT  host:1 HTTP/1.1", "CONNECT host:1 HTTP/2.0", "CONNECT ho st:1 HTTP/1.1"]) {
    expect(parseRequestHead(bad).kind).toBe("bad");
  }
});

test("absolute-form http:// requests: default port 80, no userinfo, fragment dropped", () => {
  expect(parseRequestHead("GET http://Registry.Local/left-pad HTTP/1.1")).toMatchObject({ kind: "http", target: { host: "registry.local", port: 80 }, path: "/left-pad" });
  expect(parseRequestHead("GET http://h:4873?q=1#x HTTP/1.1")).toMatchObject({ kind: "http", target: { host: "h", port: 4873 }, path: "/?q=1" });
  expect(parseRequestHead("GET http://[::1]:4873/a HTTP/1.0")).toMatchObject({ kind: "http", target: { host: "::1", port: 4873 }, version: "HTTP/1.0" });
  for (const bad of ["GET /left-pad HTTP/1.1", "GET http://u@h/ HTTP/1.1", "GET https://h/ HTTP/1.1", "GET http:///x HTTP/1.1", "GET http://h/ HTTP/1.1\r\n folded: x"]) {
    expect(parseRequestHead(bad).kind).toBe("bad");
  }
});

test("the origin head: origin-form, Host from the URL, proxy and hop-by-hop headers gone, Connection: close", () => {
  const req = parseRequestHead(
    "GET http://reg.test:4873/p?x=1 HTTP/1.1\r\nHost: other.test\r\nProxy-Connection: keep-alive\r\nproxy-authorization: Basic eDp5\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: 5\r\nAccept: */*",
  );
  if (req.kind !== "http") throw new Error("expected an http request");
  expect(originHead(req)).toBe("GET /p?x=1 HTTP/1.1\r\nHost: reg.test:4873\r\nAccept: */*\r\nConnection: close\r\n\r\n");
  const plain = parseRequestHead("GET http://reg.test/ HTTP/1.1");
  if (plain.kind !== "http") throw new Error("expected an http request");
  expect(originHead(plain)).toBe("GET / HTTP/1.1\r\nHost: reg.test\r\nConnection: close\r\n\r\n");
});

test("authorities: names are normalized, junk is refused", () => {
  expect(parseAuthority("REGISTRY.npmjs.org.:443")).toEqual({ host: "registry.npmjs.org", port: 443 });
  expect(parseAuthority("[::FFFF:127.0.0.1]:1")).toEqual({ host: "127.0.0.1", port: 1 });
  for (const bad of ["", ":443", "a..b:1", "a%2f:1", "[::1:1", "[::1]x:1", "[zz]:1", "h:65536", "h:"]) expect(parseAuthority(bad)).toBeNull();
});
