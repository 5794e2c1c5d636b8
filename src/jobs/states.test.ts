import { expect, test } from "bun:test";
import { allowedTransitions, assertTransition, canTransition, TERMINAL_STATES } from "./states.ts";
import { JobState } from "../core/job-states.ts";

test("terminal states have no way out", () => {
  for (const state of TERMINAL_STATES) {
    for (const to of JobState.options) expect(canTransition(state, to)).toBe(false);
  }
  expect(() => assertTransition("job_x", "succeeded", "queued")).toThrow(/cannot move from succeeded to queued/);
  try {
    assertTransition("job_x", "succeeded", "queued");
  } catch (err) {
    expect((err as { hint: string }).hint).toMatch(/already ended succeeded/);
  }
});

test("a job only starts running from the queue", () => {
  const sources = JobState.options.filter((s) => canTransition(s, "running"));
  expect(sources).toEqual(["queued"]);
});

test("every non-terminal state can be cancelled", () => {
  for (const state of ["queued", "running", "retry_wait", "blocked"] as const) expect(canTransition(state, "cancelled")).toBe(true);
  expect(Object.keys(allowedTransitions()).sort()).toEqual([...JobState.options].sort());
});
