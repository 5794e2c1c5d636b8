import { expect, test } from "bun:test";
import type { UpdateType } from "./policy-schema.ts";
import { updateType } from "./semver-change.ts";

const cases: [unknown, unknown, UpdateType | null][] = [
  ["^1.2.3", "^1.2.3", null],
  ["^1.2.3", "^1.2.4", "patch"],
  ["1.2.3", "1.2.9", "patch"],
  ["~1.2.3", "~1.3.0", "minor"],
  ["^1.2.3", "^2.0.0", "major"],
  ["^2.0.0", "^1.9.0", "major"],
  ["^0.1.0", "^0.2.0", "major"],
  ["^0.1.0", "^0.1.5", "patch"],
  ["^0.0.3", "^0.0.4", "major"],
  ["1.x", "1.2.3", "minor"],
  ["~1.2.3", "^1.2.3", "minor"],
  ["v1.2.3", "1.2.3", null],
  [undefined, "^1.0.0", "added"],
  ["^1.0.0", undefined, "removed"],
  ["^1.0.0", "github:user/repo", "other"],
  ["^1.0.0", "workspace:*", "other"],
  ["^1.0.0", "latest", "other"],
  ["^1.0.0", "1.0.1-beta.1", "other"],
  [">=1.0.0 <2.0.0", ">=1.0.1 <2.0.0", "other"],
  ["^1.0.0", 5, "other"],
  [undefined, undefined, null],
];

test.each(cases)("%p -> %p is %p", (before, after, want) => {
  expect(updateType(before, after)).toBe(want);
});
