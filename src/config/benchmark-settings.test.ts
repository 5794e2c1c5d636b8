import { expect, test } from "bun:test";
import { BenchmarkCommand } from "./benchmark-settings.ts";

test("a figure needs a capture group; a plain one parses", () => {
  expect(BenchmarkCommand.safeParse({ name: "ops", run: "node b.js", figure: "ops/s: ([0-9.]+)" }).success).toBe(true);
  expect(BenchmarkCommand.safeParse({ name: "ops", run: "node b.js", figure: "ops/s: [0-9.]+" }).success).toBe(false);
  expect(BenchmarkCommand.safeParse({ name: "ops", run: "node b.js", figure: "([" }).success).toBe(false);
});

test("attack: a nested quantifier, which could hang the worker on a crafted output line, is refused", () => {
  const parsed = BenchmarkCommand.safeParse({ name: "ops", run: "node b.js", figure: "^(\\d+\\s?)+ops$" });
  expect(parsed.success).toBe(false);
  expect(JSON.stringify(parsed.error?.issues)).toContain("must not nest quantifiers");
});
