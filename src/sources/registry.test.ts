import { expect, test } from "bun:test";
import { WORK_SOURCES } from "../planning/work-item.ts";
import { SOURCES } from "./registry.ts";

test("every source of the vision has a plug-in, listed in its order of precedence; one source may have several (the local and the labelled backlog)", () => {
  expect([...new Set(SOURCES.map((s) => s.id))]).toEqual([...WORK_SOURCES]);
  const ranks = SOURCES.map((s) => WORK_SOURCES.indexOf(s.id));
  expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  expect(SOURCES.filter((s) => s.id === "backlog").flatMap((s) => s.itemTypes)).toEqual(["backlog_task", "codemod", "github_issue", "dependency_update", "security_audit"]);
});

test("no item type comes from two plug-ins, and each plug-in files at least one", () => {
  const types = SOURCES.flatMap((s) => s.itemTypes);
  expect(new Set(types).size).toBe(types.length);
  for (const source of SOURCES) expect(source.itemTypes.length).toBeGreaterThan(0);
});
