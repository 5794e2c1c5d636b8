import { describe, expect, test } from "bun:test";
import { isAllowedRegistry, registryFor, registrySettings } from "./registry-config.ts";

const settings = (user: string | null, project: string | null = null, env: Record<string, string> = {}) => registrySettings({ user, project, env });

describe("registry settings from the npm configuration", () => {
  test("defaults: the public registry for everything", () => {
    const s = settings(null);
    expect([s.defaultRegistry, registryFor(s, "@any/x")]).toEqual(["https://registry.npmjs.org/", "https://registry.npmjs.org/"]);
    expect(isAllowedRegistry(s, "https://registry.npmjs.org")).toBe(true);
  });

  test("the user's registry and scoped registries; `${VAR}` expanded; npm_config_registry wins", () => {
    const user = "registry=https://npm.acme.example/\n@acme:registry=https://npm.acme.example/private\n//npm.acme.example/private/:_authToken=${ACME_TOKEN}\n";
    const s = settings(user, null, { ACME_TOKEN: "npm_secretsecretsecretsecretsecret00" });
    expect([s.defaultRegistry, registryFor(s, "@acme/lib"), registryFor(s, "@ACME/lib"), registryFor(s, "lib")]).toEqual([
      "https://npm.acme.example/",
      "https://npm.acme.example/private/",
      "https://npm.acme.example/private/",
      "https://npm.acme.example/",
    ]);
    expect(s.fetchOptions["//npm.acme.example/private/:_authToken"]).toBe("npm_secretsecretsecretsecretsecret00");
    expect(settings(user, null, { npm_config_registry: "https://mirror.example/" }).defaultRegistry).toBe("https://mirror.example/");
  });

  test("the committed .npmrc's registries apply, but only the user's own (or public ones) may be fetched from; its credentials never", () => {
    const project = "registry=https://evil.example/\n@acme:registry=https://registry.npmjs.org/\n//evil.example/:_authToken=planted\n";
    const s = settings("//npm.acme.example/:_authToken=abcd1234\n", project);
    expect(s.defaultRegistry).toBe("https://evil.example/");
    expect(isAllowedRegistry(s, s.defaultRegistry)).toBe(false);
    expect(isAllowedRegistry(s, registryFor(s, "@acme/x"))).toBe(true);
    expect(isAllowedRegistry(s, "https://npm.acme.example/")).toBe(true);
    expect(Object.keys(s.fetchOptions).filter((k) => k.startsWith("//"))).toEqual(["//npm.acme.example/:_authToken"]);
    // The user's own registry wins over the commit's.
    expect(settings("registry=https://npm.acme.example/\n", project).defaultRegistry).toBe("https://npm.acme.example/");
  });

  test("a committed .npmrc that would run a program refuses", () => {
    expect(() => settings(null, "git=/tmp/evil\n")).toThrow("run a program");
  });

  test("scrub takes out tokens, _auth and _password (as written and decoded), and a proxy's password", () => {
    const auth = Buffer.from("alice:hunter2-password").toString("base64");
    const password = Buffer.from("s3cr3t-pass").toString("base64");
    const user = [`//a.example/:_authToken=tok-123456789`, `//b.example/:_auth=${auth}`, `//c.example/:username=carol`, `//c.example/:_password=${password}`].join("\n");
    const s = settings(user, null, { HTTPS_PROXY: "http://proxyuser:pr0xy-pass@proxy.example:3128" });
    const text = `tok-123456789 ${auth} alice:hunter2-password hunter2-password ${password} s3cr3t-pass pr0xy-pass carol`;
    expect(s.scrub(text)).toBe("[REDACTED] [REDACTED] [REDACTED] [REDACTED] [REDACTED] [REDACTED] [REDACTED] carol");
  });

  test("the worker's proxy, except for loopback and NO_PROXY hosts", () => {
    const s = settings(null, null, { HTTPS_PROXY: "proxy.example:3128", HTTP_PROXY: "http://plain.example:8080", NO_PROXY: "internal.example" });
    expect(s.proxyFor("https://registry.npmjs.org/")).toBe("http://proxy.example:3128");
    expect(s.proxyFor("http://mirror.example/")).toBe("http://plain.example:8080");
    expect(s.proxyFor("https://npm.internal.example/")).toBeNull();
    expect(s.proxyFor("http://127.0.0.1:4873/")).toBeNull();
    expect(() => settings(null, null, { HTTPS_PROXY: "socks5://proxy.example:1080" })).toThrow("only http:// proxies");
  });

  test("retries and TLS settings from the user's npmrc, bounded", () => {
    const s = settings("fetch-retries=99\nfetch-retry-mintimeout=500\nstrict-ssl=false\nca=-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\n");
    expect(s.retry).toEqual({ retries: 5, factor: undefined, minTimeout: 500, maxTimeout: undefined });
    expect(s.strictSSL).toBe(false);
    expect(s.ca).toEqual(["-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"]);
  });
});
