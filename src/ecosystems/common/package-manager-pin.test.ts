import { expect, test } from "bun:test";
import { readPackageManagerPin } from "./package-manager-pin.ts";

const SHA512 = "a".repeat(128);

test("name@version, with the hash corepack writes after it", () => {
  expect(readPackageManagerPin("pnpm@10.2.0")).toEqual({ pin: { name: "pnpm", version: "10.2.0", hash: null } });
  expect(readPackageManagerPin(`pnpm@10.2.0+sha512.${SHA512}`)).toEqual({ pin: { name: "pnpm", version: "10.2.0", hash: { algorithm: "sha512", hex: SHA512 } } });
  expect(readPackageManagerPin(`yarn@4.9.0+sha224.${"b".repeat(56)}`)).toEqual({ pin: { name: "yarn", version: "4.9.0", hash: { algorithm: "sha224", hex: "b".repeat(56) } } });
  expect(readPackageManagerPin("bun@1.3.0-canary.12")).toEqual({ pin: { name: "bun", version: "1.3.0-canary.12", hash: null } });
  expect(readPackageManagerPin(" yarn ")).toEqual({ pin: { name: "yarn", version: null, hash: null } });
});

test("no field is no pin; a field that is not name@x.y.z[+<algorithm>.<hex>] says why", () => {
  expect(readPackageManagerPin(undefined)).toBeNull();
  expect(readPackageManagerPin("")).toBeNull();
  const invalid = (field: string) => {
    const reading = readPackageManagerPin(field);
    return reading && "invalid" in reading ? reading.invalid : null;
  };
  expect(invalid("pnpm@10.2.0+sha512.abc")).toContain("is not a hash");
  expect(invalid(`pnpm@10.2.0+md5.${"a".repeat(32)}`)).toContain("is not a hash");
  expect(invalid("pnpm@^10")).toContain("not an exact version");
  expect(invalid("pnpm@latest")).toContain("not an exact version");
  expect(invalid("pnpm@10.2")).toContain("not an exact version");
  expect(invalid("yarn@https://example.com/yarn.js")).toContain("not an exact version");
  expect(invalid("pnpm;rm -rf /@1.0.0")).toContain("is not a package name");
});
