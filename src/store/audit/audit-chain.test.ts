import { describe, expect, test } from "bun:test";
import { canonicalJson, entryHash, GENESIS_HASH } from "./audit-chain.ts";

describe("canonicalJson", () => {
  test("key order does not matter, at any depth", () => {
    const a = { b: 1, a: { d: [{ y: 1, x: 2 }, "s"], c: null }, e: "é\n\"" };
    const b = { e: "é\n\"", a: { c: null, d: [{ x: 2, y: 1 }, "s"] }, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":{"c":null,"d":[{"x":2,"y":1},"s"]},"b":1,"e":"é\\n\\""}');
  });

  test("array order does matter", () => {
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });

  test("it agrees with JSON.stringify on what survives a round trip through the store", () => {
    const value = { z: undefined, y: [undefined, 1], x: null, w: { v: 1.5, u: -0, t: true } };
    expect(canonicalJson(value)).toBe('{"w":{"t":true,"u":0,"v":1.5},"x":null,"y":[null,1]}');
    expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(canonicalJson(value));
    expect(canonicalJson(undefined)).toBe("null");
    expect(canonicalJson("s")).toBe('"s"');
  });

  test("the entry hash is independent of the data's key order", () => {
    const content = { seq: 1, at: 5, actor: "a", action: "x", subject: null };
    expect(entryHash(GENESIS_HASH, { ...content, data: { p: 1, q: { r: 2, s: 3 } } })).toBe(
      entryHash(GENESIS_HASH, { ...content, data: { q: { s: 3, r: 2 }, p: 1 } }),
    );
    expect(entryHash(GENESIS_HASH, { ...content, data: { p: 1 } })).not.toBe(entryHash(GENESIS_HASH, { ...content, data: { p: 2 } }));
  });
});
