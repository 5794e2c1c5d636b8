import { describe, expect, test } from "bun:test";
import { JobFailure } from "../core/job-failure.ts";
import { LoopDetector, normalizeCommand, type LoopRules, type StepObservation } from "./loop-detector.ts";

const RULES: LoopRules = { repeats: 3, noProgressSteps: 5 };

/** A step: its command, the diff after it (null: none), whether its output was new. */
const s = (command: string | null, diffHash: string | null, progressed = true): StepObservation => ({ command, diffHash, progressed });

/** Observes each step; the failure and the 1-based step it came at, or null. */
function run(steps: StepObservation[], rules = RULES): { step: number; failure: JobFailure } | null {
  const detector = new LoopDetector(rules);
  for (const [i, step] of steps.entries()) {
    try {
      detector.observe(step);
    } catch (err) {
      if (err instanceof JobFailure) return { step: i + 1, failure: err };
      throw err;
    }
  }
  return null;
}

describe("each rule, table-driven", () => {
  const cases: { name: string; steps: StepObservation[]; rules?: LoopRules; at: number | null; message?: RegExp; command?: string; excerpt?: RegExp }[] = [
    {
      name: "the same command 3 times in a row (whitespace normalized), even one that changes the diff each time",
      steps: [s("ls", null), s("echo x >> f", "d1"), s("echo  x >>\tf ", "d2"), s("echo x >> f\n", "d3")],
      at: 4,
      message: /same command 3 times in a row \(steps 2-4; raise models\.budget\.loop_repeats\)/,
      command: "echo x >> f",
    },
    {
      name: "the same command 3 times on the same worktree within 6 steps",
      steps: [s("cat a", null), s("cat b", null), s("cat a", null), s("cat b", null), s("cat a", null)],
      at: 5,
      message: /same command 3 times on the same worktree within 6 steps \(steps 1, 3, 5;/,
      command: "cat a",
    },
    {
      name: "running the tests again after each edit is not a loop: the diff changed",
      steps: [s("npm test", null), s("edit 1", "d1"), s("npm test", "d1"), s("edit 2", "d2"), s("npm test", "d2"), s("edit 3", "d3"), s("npm test", "d3")],
      at: null,
    },
    {
      name: "the same command 3 times spread over more than 6 steps is not a loop",
      steps: [s("cat a", null), s("w", null), s("x", null), s("cat a", null), s("y", null), s("z", null), s("v", null), s("cat a", null)],
      at: null,
    },
    {
      name: "a diff that comes back after it changed: A -> B -> A",
      steps: [s("edit", "A"), s("edit", "B"), s("undo", "A")],
      rules: { repeats: 5, noProgressSteps: 5 },
      at: 3,
      message: /went back to the diff it had after step 1 \(it changed in between\)/,
      excerpt: /^step 1: diff A\nstep 2: diff B\nstep 3: diff A$/,
    },
    {
      name: "a diff reverted to nothing and redone: A -> empty -> A",
      steps: [s("a", "A"), s("b", null), s("c", "A")],
      at: 3,
      excerpt: /^step 1: diff A\nstep 2: no diff\nstep 3: diff A$/,
    },
    {
      name: "the same diff staying the same is no circle, and an empty diff never is",
      steps: [s("a", "A"), s("b", "A"), s("c", null), s("d", "C"), s("e", null)],
      at: null,
    },
    {
      name: "no progress for 5 steps: no new output, no change to the diff (a refused reply counts)",
      steps: [s("a", "A"), s("b", "A", false), s(null, "A", false), s("c", "A", false), s("d", "A", false), s("e", "A", false)],
      at: 6,
      message: /^no progress for 5 steps \(steps 2-6: no change to the diff, no new output; raise models\.budget\.no_progress_steps\)$/,
      excerpt: /^step 2: b\nstep 3: \(no command\)\nstep 4: c\nstep 5: d\nstep 6: e$/,
    },
    {
      name: "new output or a changed diff resets the count",
      steps: [s("a", null, false), s("b", null, false), s("c", null, false), s("d", null, false), s("e", null), s("f", null, false), s("g", "B", false), s("h", "B", false)],
      at: null,
    },
    {
      name: "loop_repeats off leaves the no-progress rule",
      steps: [s("x", null, false), s("x", null, false), s("x", null, false), s("x", null, false), s("x", null, false)],
      rules: { repeats: null, noProgressSteps: 5 },
      at: 5,
      message: /^no progress for 5 steps/,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const result = run(c.steps, c.rules);
      if (c.at === null) return expect(result).toBeNull();
      expect(result?.step).toBe(c.at);
      expect(result!.failure.failureClass).toBe("loop_detected");
      if (c.message) expect(result!.failure.message).toMatch(c.message);
      if (c.command) expect(result!.failure.evidence.command).toBe(c.command);
      if (c.excerpt) expect(result!.failure.evidence.logExcerpt).toMatch(c.excerpt);
    });
  }
});

test("with every rule off nothing is detected", () => {
  expect(run([s("x", "A", false), s("x", "B", false), s("x", "A", false)], { repeats: null, noProgressSteps: null })).toBeNull();
  expect(run([s("x", null, false), s("x", null, false), s("x", null, false), s("x", null, false)], { repeats: null, noProgressSteps: null })).toBeNull();
});

test("commands are compared with their whitespace normalized", () => {
  expect(normalizeCommand("  npm   run\ttest \n -- --watch=false ")).toBe("npm run test -- --watch=false");
});
