import { afterAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { tempDir } from "../../test/helpers/temp.ts";
import { fakePnpmPackage, integrityOf, packTarball } from "./provision-fixture.ts";
import { digestsOf, extractTarball, matchesPinHash, TarballError, verifyIntegrity } from "./provision-tarball.ts";

const root = tempDir("pushpals-provision-tarball-");
afterAll(() => root.cleanup());
let n = 0;
const dest = () => join(root.path, `out${++n}`);

function errorOf(fn: () => unknown): TarballError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TarballError) return err;
    throw err;
  }
  throw new Error("expected a TarballError");
}

/** One raw ustar header and body: for entries GNU tar will not write (a path leaving the directory). */
function rawEntry(name: string, body: string, type = "0"): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100);
  header.write("0000644\0", 100);
  header.write(`${Buffer.byteLength(body).toString(8).padStart(11, "0")}\0`, 124);
  header.write(type, 156);
  header.write("ustar\0", 257);
  const data = Buffer.alloc(Math.ceil(Buffer.byteLength(body) / 512) * 512);
  data.write(body);
  return Buffer.concat([header, data]);
}

describe("integrity", () => {
  const bytes = packTarball(fakePnpmPackage("10.2.0"));

  test("a tarball that matches the registry's integrity passes; one byte changed is refused", () => {
    expect(() => verifyIntegrity(bytes, { integrity: integrityOf(bytes) }, "pnpm@10.2.0")).not.toThrow();
    const tampered = Uint8Array.from(bytes);
    tampered[tampered.length - 10]! ^= 0xff;
    const err = errorOf(() => verifyIntegrity(tampered, { integrity: integrityOf(bytes) }, "pnpm@10.2.0"));
    expect(err.reason).toBe("integrity");
    expect(err.message).toContain("pnpm@10.2.0's tarball does not match the registry's integrity");
  });

  test("the strongest hash listed decides; a registry with only a shasum is checked against it; one with neither is refused", () => {
    const sha1 = `sha1-${createHash("sha1").update(bytes).digest("base64")}`;
    expect(() => verifyIntegrity(bytes, { integrity: `${sha1} sha512-AAAA` }, "x")).toThrow(TarballError);
    expect(() => verifyIntegrity(bytes, { integrity: `sha1-AAAA ${integrityOf(bytes)}` }, "x")).not.toThrow();
    const shasum = createHash("sha1").update(bytes).digest("hex");
    expect(() => verifyIntegrity(bytes, { shasum }, "x")).not.toThrow();
    expect(() => verifyIntegrity(bytes, { shasum: "0".repeat(40) }, "x")).toThrow(/shasum/);
    expect(errorOf(() => verifyIntegrity(bytes, {}, "x")).message).toContain("gives no integrity");
  });

  test("a pin's hash matches the tarball or the file it names", () => {
    const digests = digestsOf(bytes);
    expect(digests.sha512).toBe(createHash("sha512").update(bytes).digest("hex"));
    expect(matchesPinHash({ algorithm: "sha512", hex: digests.sha512 }, [bytes])).toBe(true);
    expect(matchesPinHash({ algorithm: "sha224", hex: digests.sha224 }, [new Uint8Array([1]), bytes])).toBe(true);
    expect(matchesPinHash({ algorithm: "sha512", hex: "0".repeat(128) }, [bytes])).toBe(false);
  });
});

describe("unpacking", () => {
  test("an npm tarball: its files below package/, long names, execute bits kept", () => {
    const long = `dist/${"deep/".repeat(25)}file.js`;
    const out = dest();
    const written = extractTarball(packTarball({ ...fakePnpmPackage("10.2.0"), [long]: "module.exports = 1;\n" }), out);
    expect(written.sort()).toEqual(["bin/pnpm.cjs", "bin/pnpx.cjs", long, "package.json"].sort());
    expect(readFileSync(join(out, long), "utf8")).toBe("module.exports = 1;\n");
    expect(statSync(join(out, "bin/pnpm.cjs")).mode & 0o777).toBe(0o755);
    expect(statSync(join(out, "package.json")).mode & 0o777).toBe(0o644);
  });

  test("a link, a path out of the directory or an absolute path refuses the tarball, and nothing lands outside", () => {
    const src = join(root.path, "with-link");
    mkdirSync(join(src, "package"), { recursive: true });
    writeFileSync(join(src, "package", "package.json"), "{}");
    symlinkSync("/etc/passwd", join(src, "package", "passwd"));
    const tgz = join(root.path, "link.tgz");
    expect(Bun.spawnSync(["tar", "-czf", tgz, "-C", src, "package"]).exitCode).toBe(0);
    expect(errorOf(() => extractTarball(readFileSync(tgz), dest())).message).toContain("not a file or a directory");

    const escape = dest();
    const evil = gzipSync(Buffer.concat([rawEntry("package/../../evil.txt", "pwned"), Buffer.alloc(1024)]));
    expect(errorOf(() => extractTarball(evil, escape)).message).toContain("unsafe path");
    expect(existsSync(join(escape, "..", "..", "evil.txt"))).toBe(false);
    expect(() => extractTarball(gzipSync(Buffer.concat([rawEntry("/etc/evil", "x"), Buffer.alloc(1024)])), dest())).toThrow(/unsafe path/);
  });

  test("what is not a gzipped tarball is refused as such", () => {
    expect(errorOf(() => extractTarball(new TextEncoder().encode("not a tarball"), dest())).reason).toBe("format");
    expect(() => extractTarball(gzipSync(rawEntry("package/a", "x".repeat(600)).subarray(0, 700)), dest())).toThrow(/ends inside an entry/);
  });
});
