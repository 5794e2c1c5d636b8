import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cacheFile, readCachedPackument, writeCachedPackument } from "./packument-cache.ts";
import type { Packument } from "./packument.ts";

const dir = mkdtempSync(join(tmpdir(), "pushpals-packument-cache-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const REGISTRY = "https://registry.npmjs.org/";
const doc: Packument = { name: "lib", "dist-tags": { latest: "1.0.0" }, versions: { "1.0.0": { version: "1.0.0", deprecated: undefined, engines: undefined, repository: undefined } }, time: { "1.0.0": "2024-01-01T00:00:00.000Z" }, repository: undefined };

test("an entry reads back as written, per registry and package, private to its owner", () => {
  const cache = join(dir, "a");
  writeCachedPackument(cache, REGISTRY, "lib", '"etag-1"', doc);
  expect(readCachedPackument(cache, REGISTRY, "lib")).toEqual({ etag: '"etag-1"', packument: JSON.parse(JSON.stringify(doc)) });
  expect(readCachedPackument(cache, "https://other.example/", "lib")).toBeNull();
  expect(readCachedPackument(cache, REGISTRY, "other")).toBeNull();
  expect(statSync(cache).mode & 0o777).toBe(0o700);
  expect(statSync(cacheFile(cache, REGISTRY, "lib")).mode & 0o777).toBe(0o600);
  writeCachedPackument(cache, REGISTRY, "lib", '"etag-2"', doc);
  expect(readCachedPackument(cache, REGISTRY, "lib")?.etag).toBe('"etag-2"');
  expect(readdirSync(cache)).toHaveLength(1);
});

test("a damaged entry, or one for another package under the same file, counts as absent", () => {
  const cache = join(dir, "b");
  writeCachedPackument(cache, REGISTRY, "lib", '"e"', doc);
  const file = cacheFile(cache, REGISTRY, "lib");
  writeFileSync(file, '{"v": 1, "registry": "https://registry.npmjs.org/", "name": "lib", "etag": "\\"e\\"", "packument": {');
  expect(readCachedPackument(cache, REGISTRY, "lib")).toBeNull();
  writeFileSync(file, JSON.stringify({ v: 1, registry: REGISTRY, name: "evil", etag: '"e"', packument: doc }));
  expect(readCachedPackument(cache, REGISTRY, "lib")).toBeNull();
  expect(readCachedPackument(join(dir, "missing"), REGISTRY, "lib")).toBeNull();
});
