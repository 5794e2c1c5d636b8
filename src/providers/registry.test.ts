import { expect, test } from "bun:test";
import { loadedPackages } from "../../test/helpers/loaded-packages.ts";
import { isPushpalsError } from "../core/errors.ts";
import { JobFailure } from "../core/job-failure.ts";
import { githubProvider } from "./github/index.ts";
import { PROVIDER_IDS, providerById, REMOTE_PROVIDER_IDS } from "./registry.ts";

test("the registry: local first (the default), GitHub the remote one; an unknown id is a config error", () => {
  expect(PROVIDER_IDS).toEqual(["local", "github"]);
  expect(REMOTE_PROVIDER_IDS).toEqual(["github"]);
  expect(providerById("local").remote).toBeNull();
  expect(providerById("github")).toBe(githubProvider);
  let thrown: unknown;
  try {
    providerById("gitlab");
  } catch (err) {
    thrown = err;
  }
  expect(isPushpalsError(thrown, "config_invalid")).toBe(true);
});

test("a remote provider's implementation is loaded once, and connect goes through it", async () => {
  const remote = githubProvider.remote!;
  const first = await remote.load();
  expect(await remote.load()).toBe(first);
  // Refused before any token is looked for.
  const refused = await remote.connect({ repository: null }).catch((err: unknown) => err);
  expect(refused).toBeInstanceOf(JobFailure);
  expect((refused as JobFailure).message).toContain("github.repository is not set");
});

test("importing the registry loads no provider's client library; the first load does", () => {
  const registry = 'await import("./src/providers/registry.ts"); await import("./src/config/schema.ts");';
  expect(loadedPackages(registry).filter((p) => p.startsWith("@octokit/"))).toEqual([]);
  expect(loadedPackages(`${registry}\nconst { githubProvider } = await import("./src/providers/github/index.ts");\nawait githubProvider.remote.load();`)).toContain("@octokit/core");
});
