import { expect, test } from "bun:test";
import { lockfileEntryLine, splitNameAndSpec } from "./lockfile.ts";
import { hostOf, isInsideRepository, isRegistrySource, sourceOf, tarballPackage, withoutCredentials } from "./lockfile-source.ts";

test("the kind of source each spec form is", () => {
  const kinds = [
    [null, "registry"],
    ["npm:4.17.21", "registry"],
    ["patch:resolve@npm%3A1.22.8#optional!builtin<compat/resolve>::version=1.22.8", "registry"],
    ["patch:left-pad@https%3A//evil.example/l.tgz#./p.patch", "url"],
    ["https://registry.npmjs.org/a/-/a-1.0.0.tgz", "url"],
    ["https://github.com/u/r.git#commit=abc", "git"],
    ["git+ssh://git@github.com/u/r.git#abc", "git"],
    ["git@github.com:u/r.git", "git"],
    ["github:u/r#abc", "git"],
    ["file:../x", "file"],
    ["./vendor/x.tgz", "file"],
    ["link:packages/a", "link"],
    ["portal:../p::locator=app%40workspace%3A.", "link"],
    ["workspace:packages/a", "workspace"],
    ["exec:./gen.js", "exec"],
    ["somewhere-else", "other"],
  ] as const;
  expect(kinds.map(([spec]) => [spec, sourceOf(spec).kind])).toEqual(kinds.map(([spec, kind]) => [spec, kind]));
  expect(sourceOf("file:../p#../p::hash=1&locator=a").path).toBe("../p");
});

test("hosts, credentials and registry tarballs", () => {
  expect(hostOf("git+ssh://git@github.com:22/u/r.git")).toBe("github.com:22");
  expect(hostOf("git@gitlab.example:u/r.git")).toBe("gitlab.example");
  expect(hostOf("file:../x")).toBeNull();
  expect(withoutCredentials("https://me:pw@npm.corp.example/a.tgz")).toBe("https://npm.corp.example/a.tgz");
  expect(withoutCredentials("https://tok@npm.corp.example/a.tgz")).toBe("https://npm.corp.example/a.tgz");
  expect(withoutCredentials("git+ssh://git@github.com/u/r.git")).toBe("git+ssh://git@github.com/u/r.git");
  expect(withoutCredentials("git+https://u:tok@github.com/u/r.git")).toBe("git+https://github.com/u/r.git");
  expect(tarballPackage("https://registry.npmjs.org/@babel/core/-/core-7.0.0.tgz")).toBe("@babel/core");
  expect(tarballPackage("https://r.example/@babel%2fcore/-/core-7.0.0.tgz")).toBe("@babel/core");
  expect(tarballPackage("https://evil.example/core.tgz")).toBeNull();
  const registries = new Set(["https://registry.npmjs.org"]);
  expect(isRegistrySource("https://registry.npmjs.org/a/-/a-1.0.0.tgz", "a", registries)).toBe(true);
  expect(isRegistrySource("https://registry.npmjs.org/b/-/b-1.0.0.tgz", "a", registries)).toBe(false);
  expect(isRegistrySource("http://registry.npmjs.org/a/-/a-1.0.0.tgz", "a", registries)).toBe(false);
});

test("paths inside the repository, read from the lockfile's folder", () => {
  expect(isInsideRepository("vendor/a", "")).toBe(true);
  expect(isInsideRepository("../a", "web")).toBe(true);
  expect(isInsideRepository("../a", "")).toBe(false);
  expect(isInsideRepository("a/../../b", "")).toBe(false);
  expect(isInsideRepository("/etc/a", "web")).toBe(false);
  expect(isInsideRepository("~/a", "")).toBe(false);
});

test("names and specs; the line of an entry", () => {
  expect(splitNameAndSpec("@a/b@npm:^1")).toEqual({ name: "@a/b", spec: "npm:^1" });
  expect(splitNameAndSpec("lodash")).toEqual({ name: "lodash", spec: "" });
  const text = '{\n  "packages": {\n    "node_modules/lodash-es": {},\n    "node_modules/lodash": {\n';
  expect(lockfileEntryLine(text, "node_modules/lodash")).toBe(4);
  expect(lockfileEntryLine('"a@^1", "lodash@^4":\n  version "4"\n', "lodash@^4")).toBe(1);
  expect(lockfileEntryLine("  /lodash@4.17.21:\n", "/lodash@4.17.21")).toBe(1);
  expect(lockfileEntryLine("x\n", "lodash")).toBeNull();
  // bun.lock names the package in the workspace's dependencies first: the entry is the array.
  expect(lockfileEntryLine('{\n  "workspaces": { "": { "dependencies": {\n    "lodash": "^4",\n  } } },\n  "packages": {\n    "lodash": ["lodash@4.17.21", "", {}, "sha512-x"],\n', "lodash")).toBe(6);
  expect(lockfileEntryLine("  '@s/u@1.2.0':\n    resolution: {integrity: x}\n", "@s/u@1.2.0")).toBe(1);
});
