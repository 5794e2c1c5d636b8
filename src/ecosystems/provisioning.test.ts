import { expect, test } from "bun:test";
import { ECOSYSTEMS, getEcosystem } from "./registry.ts";

test("every package manager but npm (which comes with Node.js) says where its releases are; no hint sends anyone to corepack", () => {
  expect(ECOSYSTEMS.filter((e) => e.provision).map((e) => e.id)).toEqual(["pnpm", "yarn", "bun"]);
  for (const e of ECOSYSTEMS) expect(e.setupHint ?? "").not.toContain("corepack");
  expect(getEcosystem("pnpm").provision).toMatchObject({ entry: { nodeBin: "pnpm" } });
  expect(getEcosystem("pnpm").provision!.npmPackage("10.2.0")).toBe("pnpm");
  expect(getEcosystem("yarn").provision!.npmPackage("4.5.0")).toBe("@yarnpkg/cli-dist");
  expect(getEcosystem("bun").provision).toMatchObject({ entry: { executable: "bin/bun" }, isRuntime: true });
  expect(getEcosystem("bun").provision!.npmPackage("1.2.0")).toMatch(/^@oven\/bun-(linux|darwin|windows|freebsd)-(x64|aarch64)(-musl)?$/);
});
