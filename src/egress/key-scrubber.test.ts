import { expect, test } from "bun:test";
import { KeyScrubber } from "./key-scrubber.ts";

const KEY = "sk-abcdef0123456789";

test("the key is removed wherever the chunks cut it, and nothing else changes", () => {
  const text = `head ${KEY} middle ${KEY}${KEY} tail sk-abc`;
  const expected = text.split(KEY).join("[X]");
  const bytes = Buffer.from(text);
  for (let a = 0; a <= bytes.length; a++) {
    for (const b of [a, Math.min(bytes.length, a + 1), Math.min(bytes.length, a + 7)]) {
      const s = new KeyScrubber(KEY, "[X]");
      const out = Buffer.concat([s.push(bytes.subarray(0, a)), s.push(bytes.subarray(a, b)), s.push(bytes.subarray(b)), s.flush()]).toString();
      expect(out).toBe(expected);
    }
  }
});

test("byte by byte, and without a key everything passes at once", () => {
  const s = new KeyScrubber(KEY, "[X]");
  const parts = [...Buffer.from(`x${KEY}y`)].map((byte) => s.push(Uint8Array.of(byte)));
  expect(Buffer.concat([...parts, s.flush()]).toString()).toBe("x[X]y");
  const none = new KeyScrubber(null, "[X]");
  expect(none.push(Buffer.from("abc")).toString()).toBe("abc");
  expect(none.flush().length).toBe(0);
  expect(new KeyScrubber(KEY, "[X]").scrubText(`a ${KEY} b`)).toBe("a [X] b");
});
