import { expect, test } from "bun:test";
import { parsePlan } from "./parse-plan.ts";

const TASK = { goal: "write notes", scope: ["notes/**"], risk: "low" as const, definition_of_done: ["notes exist"] };

test("a plan alone, or in a json fence with prose around it, parses", () => {
  expect(parsePlan(JSON.stringify({ tasks: [TASK] }))).toEqual({ plan: { tasks: [TASK] } });
  expect(parsePlan(`Here it is:\n\`\`\`json\n${JSON.stringify({ tasks: [TASK] })}\n\`\`\`\nDone.`)).toEqual({ plan: { tasks: [TASK] } });
});

test("what is not a plan says why, for the model's one retry", () => {
  expect(parsePlan("no idea")).toEqual({ why: "the reply holds no JSON object" });
  expect(parsePlan("{ tasks: [ }")).toMatchObject({ why: expect.stringContaining("the JSON does not parse") });
  expect(parsePlan(JSON.stringify({ tasks: [] }))).toMatchObject({ why: expect.stringContaining("it is not the plan's shape") });
  expect(parsePlan(JSON.stringify({ tasks: Array(6).fill(TASK) }))).toMatchObject({ why: expect.stringContaining("plan's shape") });
  expect(parsePlan(JSON.stringify({ tasks: [{ ...TASK, risk: "none" }] }))).toMatchObject({ why: expect.stringContaining("plan's shape") });
});

test("attack: a scope that climbs out of the repository or is absolute is refused", () => {
  for (const scope of [["../outside/**"], ["/etc/**"], ["a/../../b"], ["x\u0000y"]]) {
    expect(parsePlan(JSON.stringify({ tasks: [{ ...TASK, scope }] }))).toMatchObject({ why: expect.stringContaining("relative to the repository root") });
  }
});
