import { describe, expect, test } from "bun:test";
import { parse } from "ini";
import { JobFailure } from "../core/job-failure.ts";
import { DEFAULT_REGISTRY, installNpmConfig, type NpmConfigSources } from "./npm-config.ts";
import { egressRules } from "./install-sandbox.ts";

const none: NpmConfigSources = { project: null, user: null, env: {} };
const build = (sources: Partial<NpmConfigSources>, allowScripts = false, credentials = true) => installNpmConfig({ ...none, ...sources }, { allowScripts, credentials, proxyUrl: "http://127.0.0.1:3128/" });

describe("the committed .npmrc", () => {
  const refused = [
    "git=./evil.sh",
    "script-shell=/tmp/x",
    "shell=./x",
    "node-options=--require ./evil.js",
    "onload-script=./evil.js",
    "userconfig=./other",
    "globalconfig=./other",
    "node_gyp=./evil",
    "GIT=./evil.sh",
    "prefix=./p",
  ];
  for (const line of refused) {
    test(`\`${line}\` refuses the install (policy_denied, naming the key)`, () => {
      const err = (() => {
        try {
          build({ project: `registry=https://registry.npmjs.org/\n${line}\n` });
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(err).toBeInstanceOf(JobFailure);
      expect((err as JobFailure).failureClass).toBe("policy_denied");
      expect((err as JobFailure).message).toContain(`\`${line.split("=")[0]}\``);
    });
  }

  test("layout settings and scoped registries carry over; credentials, proxies and unknown keys do not", () => {
    const config = build({
      project: ["legacy-peer-deps=true", "@acme:registry=https://npm.acme.example/", "//npm.acme.example/:_authToken=${NPM_TOKEN}", "https-proxy=http://evil:1", "ignore-scripts=false", "cache=/x"].join("\n"),
    });
    const written = parse(config.text);
    expect(written["legacy-peer-deps"]).toBe(true);
    expect(written["@acme:registry"]).toBe("https://npm.acme.example/");
    expect(written["//npm.acme.example/:_authToken"]).toBeUndefined();
    expect(written["https-proxy"]).toBe("http://127.0.0.1:3128/");
    expect(written["ignore-scripts"]).toBeUndefined();
    expect(written.cache).toBeUndefined();
    expect(config.notes.join("\n")).toContain("ignore-scripts");
    expect(config.ignoredProjectKeys).toEqual(["//npm.acme.example/:_authToken", "https-proxy", "ignore-scripts", "cache"]);
  });

  test("a registry named only by the commit is written but never reachable: a commit cannot widen the allowlist", () => {
    for (const project of ["registry=http://127.0.0.1:4873/\n", "@f:registry=http://evil.example:25/\n", "registry[]=https://a.example/\n"]) {
      expect(egressRules(build({ project })).map((r) => r.host)).toEqual(["registry.npmjs.org", "registry.yarnpkg.com"]);
    }
  });

  test("a scoped registry of the commit is reachable when the user logs in there", () => {
    const config = build({ project: "@acme:registry=https://npm.acme.example/\n", user: "//npm.acme.example/:_authToken=t0ken\n" });
    expect(parse(config.text)["@acme:registry"]).toBe("https://npm.acme.example/");
    expect(egressRules(config)).toContainEqual({ host: "npm.acme.example", port: 443, trustedLocal: true });
  });
});

describe("the user's own npm config", () => {
  const user = ["registry=http://127.0.0.1:4873/", "//127.0.0.1:4873/:_authToken=${MY_TOKEN}", "git=/usr/bin/git", "cafile=/home/me/ca.pem"].join("\n");

  test("names the registry (trusted, so it may be local) and its credentials, expanded from the worker's environment", () => {
    const config = build({ user, env: { MY_TOKEN: "s3cret" } });
    const written = parse(config.text);
    expect(written.registry).toBe("http://127.0.0.1:4873/");
    expect(written["//127.0.0.1:4873/:_authToken"]).toBe("s3cret");
    expect(written.git).toBeUndefined();
    expect(written.cafile).toBeUndefined();
    expect(egressRules(config)).toContainEqual({ host: "127.0.0.1", port: 4873, trustedLocal: true });
  });

  test("its retry settings are kept; the commit's are not (a commit cannot make installs hang on retries)", () => {
    const written = parse(build({ user: `${user}\nfetch-retries=0\nfetch-timeout=5000`, project: "fetch-retries=99\n" }).text);
    expect(written["fetch-retries"]).toBe("0");
    expect(written["fetch-timeout"]).toBe("5000");
    expect(parse(build({ user, project: "fetch-retries=99\n" }).text)["fetch-retries"]).toBeUndefined();
  });

  test("its registry wins over the commit's", () => {
    expect(parse(build({ user, project: "registry=https://evil.example/\n" }).text).registry).toBe("http://127.0.0.1:4873/");
  });

  test("an install that runs install scripts gets no credential", () => {
    const config = build({ user, env: { MY_TOKEN: "s3cret" } }, true);
    expect(config.text).not.toContain("s3cret");
    expect(config.text).not.toContain("_authToken");
    expect(config.notes.join("\n")).toContain("install.allow_scripts");
  });

  test("a package manager that runs committed code first (Yarn) gets no credential", () => {
    const config = build({ user, env: { MY_TOKEN: "s3cret" } }, false, false);
    expect(config.text).not.toContain("s3cret");
    expect(parse(config.text).registry).toBe("http://127.0.0.1:4873/");
  });

  test("npm_config_registry in the worker's environment names the registry", () => {
    expect(parse(build({ env: { npm_config_registry: "https://mirror.example/" } }).text).registry).toBe("https://mirror.example/");
  });

  test("without any configuration: the public registry, and the proxy for both schemes", () => {
    const written = parse(build({}).text);
    expect(written.registry).toBe(DEFAULT_REGISTRY);
    expect(written.proxy).toBe("http://127.0.0.1:3128/");
    expect(egressRules(build({}))).toEqual([
      { host: "registry.npmjs.org", port: 443, trustedLocal: false },
      { host: "registry.yarnpkg.com", port: 443, trustedLocal: false },
    ]);
  });
});
