import { expect, test } from "bun:test";
import { pickHigherRange } from "./dependency-range-pick.ts";

test("the higher of two compatible plain ranges, else why not", () => {
  const cases: [ours: string, theirs: string, expected: string | RegExp][] = [
    ["^1.3.0", "^1.4.1", "^1.4.1"],
    ["^1.4.1", "^1.3.0", "^1.4.1"],
    ["~1.3.0", "~1.3.4", "~1.3.4"],
    ["1.3.0", "1.4.1", "1.4.1"],
    ["^1.10.0", "^1.9.9", "^1.10.0"], // numeric, not string, order
    ["^0.2.1", "^0.2.5", "^0.2.5"],
    ["npm:real@^2.1.0", "npm:real@^2.3.0", "npm:real@^2.3.0"],
    ["npm:@scope/real@1.0.0", "npm:@scope/real@1.0.2", "npm:@scope/real@1.0.2"],
    ["^1.3.0", "^2.0.0", /incompatible/],
    ["1.3.0", "2.0.0", /incompatible/],
    ["^0.2.0", "^0.3.0", /incompatible/], // 0.x: the minor is the breaking part
    ["0.0.3", "0.0.4", /incompatible/],
    ["^1.3.0", "~1.4.0", /operators/],
    ["^1.3.0", "1.4.0", /operators/],
    ["npm:a@^1.0.0", "npm:b@^1.1.0", /different packages/],
    ["npm:a@^1.0.0", "^1.1.0", /different packages/],
    ["git+https://example.com/x.git#v1", "^1.1.0", /ours is not a plain/],
    ["^1.1.0", "workspace:^1.2.0", /theirs is not a plain/],
    ["github:o/r#a", "github:o/r#b", /neither/],
    ["^1.2", "^1.3.0", /ours is not a plain/], // partial versions are ranges of their own
    [">=1.2.0", ">=1.3.0", /neither/],
    ["^1.3.0-beta.1", "^1.3.0", /ours is not a plain/],
    ["latest", "next", /neither/],
  ];
  for (const [ours, theirs, expected] of cases) {
    const pick = pickHigherRange(ours, theirs);
    if (typeof expected === "string") expect({ ours, theirs, pick }).toEqual({ ours, theirs, pick: { ok: true, spec: expected, side: expected === ours ? "ours" : "theirs" } });
    else {
      expect(pick.ok).toBe(false);
      if (!pick.ok) expect(pick.why).toMatch(expected);
    }
  }
});
