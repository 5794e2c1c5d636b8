import { expect, test } from "bun:test";
import { WORK_SOURCES } from "../planning/work-item.ts";
import { SOURCES } from "./registry.ts";

test("every source of the vision has one plug-in, in its order of precedence, and no item type comes from two", () => {
  expect(SOURCES.map((s) => s.id)).toEqual([...WORK_SOURCES]);
  const types = SOURCES.flatMap((s) => s.itemTypes);
  expect(new Set(types).size).toBe(types.length);
});
