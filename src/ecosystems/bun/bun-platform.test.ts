import { expect, test } from "bun:test";
import { bunPlatformPackage } from "./bun-platform.ts";

test("the binary package the bun package's postinstall would take", () => {
  expect(bunPlatformPackage("linux", "x64", false)).toBe("@oven/bun-linux-x64");
  expect(bunPlatformPackage("linux", "arm64", false)).toBe("@oven/bun-linux-aarch64");
  expect(bunPlatformPackage("linux", "x64", true)).toBe("@oven/bun-linux-x64-musl");
  expect(bunPlatformPackage("darwin", "arm64", false)).toBe("@oven/bun-darwin-aarch64");
  expect(bunPlatformPackage("win32", "x64", false)).toBe("@oven/bun-windows-x64");
  // PushPals' own Bun came from that package.
  expect(Bun.resolveSync(`${bunPlatformPackage()}/package.json`, import.meta.dir)).toContain("@oven/bun-");
});
